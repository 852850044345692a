// The native menus: File (open a project, install a plugin from a folder or an archive, quit), Edit,
// View (reload and developer tools in development only), Window, Help. The usual shortcuts.
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  openProject(): void;
  installFromFolder(): void;
  installFromArchive(): void;
  openHelp(): void;
}

export function menuTemplate(options: {
  dev: boolean;
  platform: NodeJS.Platform;
  actions: MenuActions;
}): MenuItemConstructorOptions[] {
  const { dev, platform, actions } = options;
  const mac = platform === 'darwin';
  const view: MenuItemConstructorOptions[] = [
    ...(dev
      ? ([
          { role: 'reload' },
          { role: 'forceReload' },
          { role: 'toggleDevTools' },
          { type: 'separator' },
        ] as MenuItemConstructorOptions[])
      : []),
    { role: 'resetZoom' },
    { role: 'zoomIn' },
    { role: 'zoomOut' },
    { type: 'separator' },
    { role: 'togglefullscreen' },
  ];
  return [
    ...(mac ? ([{ role: 'appMenu' }] as MenuItemConstructorOptions[]) : []),
    {
      label: '&File',
      submenu: [
        {
          id: 'open-project',
          label: 'Open Project…',
          accelerator: 'CmdOrCtrl+O',
          click: () => actions.openProject(),
        },
        { type: 'separator' },
        {
          id: 'install-folder',
          label: 'Install Plugin from Folder…',
          accelerator: 'CmdOrCtrl+Shift+O',
          click: () => actions.installFromFolder(),
        },
        {
          id: 'install-archive',
          label: 'Install Plugin from Archive…',
          click: () => actions.installFromArchive(),
        },
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit', accelerator: 'Ctrl+Q' },
      ],
    },
    { role: 'editMenu' },
    { label: '&View', submenu: view },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [{ id: 'help', label: 'About fledge Plugins', click: () => actions.openHelp() }],
    },
  ];
}
