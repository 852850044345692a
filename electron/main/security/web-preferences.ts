// The BrowserWindow options of every window: Electron's security checklist applied (docs/tutorial/
// security.md): sandboxed, context-isolated renderer without Node, web security on, no insecure
// content, no experimental or Blink features, no <webview>, devtools only in development.

export interface SecureWebPreferences {
  preload: string;
  sandbox: true;
  contextIsolation: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  experimentalFeatures: false;
  webviewTag: false;
  navigateOnDragDrop: false;
  safeDialogs: true;
  spellcheck: false;
  devTools: boolean;
}

export function secureWebPreferences(preloadPath: string, dev: boolean): SecureWebPreferences {
  // enableBlinkFeatures is left out on purpose: no Blink feature beyond the defaults.
  return {
    preload: preloadPath,
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    devTools: dev,
  };
}

export interface Bounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
}

/** The main window's options: its remembered bounds, hidden until the first paint. */
export function mainWindowOptions(preloadPath: string, dev: boolean, bounds: Bounds) {
  return {
    ...bounds,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'Fledge',
    backgroundColor: '#1b1d23',
    webPreferences: secureWebPreferences(preloadPath, dev),
  };
}
