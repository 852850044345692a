// Electron's security checklist (docs/tutorial/security.md, its 20 items), each asserted on the
// objects and functions the main process builds and installs. The wiring (that main installs them)
// is asserted in main-module.test.ts against a fake electron module.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FuseV1Options } from '@electron/fuses';
import { describe, expect, it, vi } from 'vitest';
import { FUSES } from '../../build/after-pack.mjs';
import { createIpcRouter } from '../../electron/main/ipc/router.js';
import { APP_SCHEME_PRIVILEGES, appProtocolHandler } from '../../electron/main/protocol/app-protocol.js';
import { CONTENT_SECURITY_POLICY, withCspHeader } from '../../electron/main/security/csp.js';
import { hardenWebContents } from '../../electron/main/security/harden-contents.js';
import { navigationGuard, windowOpenHandler } from '../../electron/main/security/navigation.js';
import { APP_ENTRY_URL, isSafeExternalUrl } from '../../electron/main/security/origin.js';
import {
  denyDevicePermission,
  denyPermissionCheck,
  denyPermissionRequest,
  refuseWebview,
} from '../../electron/main/security/session-handlers.js';
import { mainWindowOptions, secureWebPreferences } from '../../electron/main/security/web-preferences.js';
import { repoRoot } from '../support/cli.js';

const h = vi.hoisted(() => ({ electron: {} as unknown, exposed: {} as Record<string, unknown> }));
vi.mock('electron', () => h.electron as Record<string, unknown>);

const prefs = secureWebPreferences('/app/dist/preload.cjs', false);
const csp = new Map(
  CONTENT_SECURITY_POLICY.split(';').map((d) => {
    const [name, ...values] = d.trim().split(/\s+/);
    return [name!, values] as const;
  }),
);
const prevented = () => {
  let n = 0;
  return { event: { preventDefault: () => n++ }, count: () => n };
};

describe("Electron's security checklist", () => {
  it('1. only secure content: the app loads its own app:// pages (a secure scheme) and no remote source', () => {
    expect(APP_ENTRY_URL).toBe('app://fledge/index.html');
    expect(APP_SCHEME_PRIVILEGES.privileges.secure).toBe(true);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/https?:|\*/);
  });

  it('2. no Node.js integration in the renderer, its workers or sub-frames', () => {
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
  });

  it('3. context isolation on', () => {
    expect(prefs.contextIsolation).toBe(true);
  });

  it('4. process sandboxing on (and app.enableSandbox for every renderer, see main-module.test.ts)', () => {
    expect(prefs.sandbox).toBe(true);
  });

  it('5. session permission requests and checks denied, devices too', () => {
    for (const permission of [
      'media',
      'geolocation',
      'notifications',
      'clipboard-read',
      'openExternal',
      'fileSystem',
    ]) {
      let granted: boolean | null = null;
      denyPermissionRequest({}, permission, (ok) => {
        granted = ok;
      });
      expect(granted, permission).toBe(false);
    }
    expect(denyPermissionCheck()).toBe(false);
    expect(denyDevicePermission()).toBe(false);
  });

  it('6. webSecurity not disabled', () => {
    expect(prefs.webSecurity).toBe(true);
  });

  it('7. a strict Content-Security-Policy, sent as a response header', async () => {
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]); // no unsafe-inline, no unsafe-eval
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(csp.get('form-action')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('frame-src')).toEqual(["'none'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(
      withCspHeader({ 'Content-Security-Policy': ['default-src *'], 'CONTENT-SECURITY-POLICY': 'x', a: 'b' }),
    ).toEqual({
      a: 'b',
      'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
    });
    const r = await appProtocolHandler(join(repoRoot, 'no-such-dir'))({ url: 'app://fledge/index.html' });
    expect(r.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });

  it('8. no insecure content', () => {
    expect(prefs.allowRunningInsecureContent).toBe(false);
  });

  it('9. no experimental features', () => {
    expect(prefs.experimentalFeatures).toBe(false);
  });

  it('10. no enableBlinkFeatures', () => {
    expect(Object.keys(prefs)).not.toContain('enableBlinkFeatures');
    expect(
      Object.keys(mainWindowOptions('/p', false, { width: 800, height: 600 }).webPreferences),
    ).not.toContain('enableBlinkFeatures');
  });

  it('11. no <webview> (so no allowpopups): the tag is off', () => {
    expect(prefs.webviewTag).toBe(false);
  });

  it('12. will-attach-webview refused, whatever its options', () => {
    const p = prevented();
    refuseWebview(p.event);
    expect(p.count()).toBe(1);
  });

  it('13. navigation limited to our own pages', () => {
    const opened: string[] = [];
    const guard = navigationGuard((u) => {
      opened.push(u);
    });
    for (const url of [
      'https://evil.example/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'app://other/x',
      'data:text/html,x',
    ]) {
      const p = prevented();
      guard(p.event, url);
      expect(p.count(), url).toBe(1);
    }
    const ours = prevented();
    guard(ours.event, 'app://fledge/index.html#/plugins');
    expect(ours.count()).toBe(0);
    expect(opened).toEqual(['https://evil.example/']); // an http(s) link goes to the system browser
  });

  it('14. new windows denied; http(s) links go to the system browser, nothing else does', () => {
    const opened: string[] = [];
    const handler = windowOpenHandler((u) => {
      opened.push(u);
    });
    for (const url of [
      'https://github.com/a/b',
      'http://example.com/',
      'file:///etc/passwd',
      'smb://host/share',
      'app://fledge/index.html',
      'javascript:1',
      'ms-settings:',
    ])
      expect(handler({ url })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://github.com/a/b', 'http://example.com/']);
    const listeners = new Map<string, unknown>();
    let installed: unknown = null;
    hardenWebContents(
      {
        on: (e: string, l: unknown) => listeners.set(e, l),
        setWindowOpenHandler: (h: unknown) => {
          installed = h;
        },
      } as never,
      () => {},
    );
    expect([...listeners.keys()].sort()).toEqual([
      'will-attach-webview',
      'will-frame-navigate',
      'will-navigate',
      'will-redirect',
    ]);
    expect(installed).toBeTypeOf('function');
  });

  it('15. shell.openExternal only after a URL check', () => {
    expect(isSafeExternalUrl('https://github.com/CorvidLabs/fledge')).toBe(true);
    for (const url of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://attacker/share',
      'https://user:pw@evil.example/',
      `https://${'a'.repeat(3000)}.example/`,
      'https://-/',
      'vbscript:x',
      42,
      null,
    ])
      expect(isSafeExternalUrl(url), String(url).slice(0, 40)).toBe(false);
  });

  it('16. a current Electron, pinned exactly', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
    expect(pkg.devDependencies.electron).toMatch(/^\d+\.\d+\.\d+$/);
    expect(Number(pkg.devDependencies.electron.split('.')[0])).toBeGreaterThanOrEqual(45);
  });

  it('17. the sender of every IPC message is checked', async () => {
    const dispatched: unknown[] = [];
    const router = createIpcRouter({
      dispatch: async (m) => {
        dispatched.push(m);
        return { ok: true, result: {} };
      },
      isOurWindow: (id) => id === 1,
    });
    const ok = await router(
      { sender: { id: 1 }, senderFrame: { url: 'app://fledge/index.html', parent: null } },
      { method: 'app.info', params: {} },
    );
    expect(ok).toEqual({ ok: true, result: {} });
    for (const event of [
      { sender: { id: 1 }, senderFrame: { url: 'https://evil.example/', parent: null } },
      { sender: { id: 1 }, senderFrame: { url: 'app://fledge/index.html', parent: {} } },
      { sender: { id: 1 }, senderFrame: null },
      { sender: { id: 2 }, senderFrame: { url: 'app://fledge/index.html', parent: null } },
    ])
      expect(await router(event, { method: 'app.info', params: {} })).toMatchObject({
        ok: false,
        error: { code: 'forbidden' },
      });
    expect(dispatched).toEqual(['app.info']);
  });

  it('18. no file://: a custom protocol confined to the renderer folder (see app-protocol.test.ts)', async () => {
    expect(APP_ENTRY_URL.startsWith('file:')).toBe(false);
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({
      scheme: 'app',
      privileges: { standard: true, secure: true },
    });
    const r = await appProtocolHandler(join(repoRoot, 'dist', 'renderer'))({
      url: 'app://fledge/%2e%2e/package.json',
    });
    expect(r.status).toBe(404);
  });

  it('19. fuses: run-as-node, NODE_OPTIONS and inspect off; asar integrity and asar-only on (see packaging.test.ts)', () => {
    expect(FUSES[FuseV1Options.RunAsNode]).toBe(false);
    expect(FUSES[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(false);
    expect(FUSES[FuseV1Options.EnableNodeCliInspectArguments]).toBe(false);
    expect(FUSES[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(true);
    expect(FUSES[FuseV1Options.OnlyLoadAppFromAsar]).toBe(true);
    expect(FUSES[FuseV1Options.EnableCookieEncryption]).toBe(true);
  });

  it('20. no Electron API exposed to the page: only the contract client and a path helper, plain functions', async () => {
    const ipcRenderer = { invoke: async () => null, on: () => {}, removeListener: () => {} };
    h.electron = {
      contextBridge: {
        exposeInMainWorld: (key: string, value: unknown) => {
          h.exposed[key] = value;
        },
      },
      ipcRenderer,
      webUtils: { getPathForFile: () => '/x' },
    };
    await import('../../electron/preload/index.js');
    expect(Object.keys(h.exposed)).toEqual(['fledge', 'fledgeFiles']);
    const seen = new Set<unknown>();
    const walk = (v: unknown, path: string): void => {
      if (typeof v === 'function' || v === null || typeof v !== 'object' || seen.has(v)) return;
      seen.add(v);
      expect(v, path).not.toBe(ipcRenderer);
      expect(Object.isFrozen(v), `${path} is frozen`).toBe(true);
      expect(Object.getPrototypeOf(v), `${path} is a plain object`).toBe(Object.prototype);
      for (const [k, child] of Object.entries(v)) {
        expect(['ipcRenderer', 'invoke', 'send', 'sendSync', 'require', 'process']).not.toContain(k);
        walk(child, `${path}.${k}`);
      }
    };
    for (const [key, value] of Object.entries(h.exposed)) walk(value, `window.${key}`);
  });
});
