// electron-store stand-in for tests: electron-store is conf with Electron's paths; given a cwd it is
// conf itself, writing the same JSON file.
import Conf from 'conf';

export default class FakeElectronStore extends Conf<Record<string, unknown>> {
  constructor(options: { cwd: string; name: string; accessPropertiesByDotNotation?: boolean }) {
    super({
      cwd: options.cwd,
      configName: options.name,
      projectName: 'fledge-desktop',
      accessPropertiesByDotNotation: options.accessPropertiesByDotNotation ?? true,
      clearInvalidConfig: true,
    });
  }
}
