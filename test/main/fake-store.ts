// electron-store stand-in for tests: electron-store is conf with Electron's paths; given a cwd it is
// conf itself, writing the same JSON file.
import Conf from 'conf';
import electron from 'electron';

// Like electron-store in the main process, it opens its (unchecked) data channel on ipcMain.
export default class FakeElectronStore extends Conf<Record<string, unknown>> {
  constructor(options: { cwd: string; name: string; accessPropertiesByDotNotation?: boolean }) {
    electron.ipcMain.on('electron-store-get-data', (event: { returnValue?: unknown }) => {
      event.returnValue = { defaultCwd: '/home/someone/.config/Fledge', appVersion: '0.1.0' };
    });
    super({
      cwd: options.cwd,
      configName: options.name,
      projectName: 'fledge-desktop',
      accessPropertiesByDotNotation: options.accessPropertiesByDotNotation ?? true,
      clearInvalidConfig: true,
    });
  }
}
