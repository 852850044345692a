// The launcher contract for the Node launcher (child_process.fork): how the engine runs under Node.
import { NodeSandboxLauncher } from '../../electron/engine/runs/launcher.js';
import { HOST_SCRIPT, launcherContract } from './contract.js';

launcherContract({
  name: 'Node (child_process.fork)',
  make: (hostScript = HOST_SCRIPT) => new NodeSandboxLauncher({ hostScript }),
});
