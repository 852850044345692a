// The launcher contract for the utilityProcess launcher, over the child_process-based stand-in for
// Electron's utilityProcess (test/support/utility-stand-in).
import { UtilitySandboxLauncher } from '../../electron/main/sandbox/utility-launcher.js';
import { StandInElectron } from '../support/utility-stand-in/index.js';
import { HOST_SCRIPT, launcherContract } from './contract.js';

launcherContract({
  name: 'Electron utilityProcess (stand-in)',
  make: (hostScript = HOST_SCRIPT) => new UtilitySandboxLauncher(new StandInElectron(), { hostScript }),
});
