// A second start of the app (the lock is taken) quits at once: no service, no window, no protocol.
import { describe, expect, it, vi } from 'vitest';
import { type FakeElectron, fakeElectron } from './fake-electron.js';

const h = vi.hoisted(() => ({ fake: null as FakeElectron | null }));
vi.mock('electron', () => h.fake!.module);
vi.mock('electron-store', () => import('./fake-store.js'));

describe('single instance', () => {
  it('quits when another instance holds the lock', async () => {
    h.fake = fakeElectron({ lock: false });
    const mod = await import('../../electron/main/index.js');
    expect(await mod.started).toBeNull();
    expect(h.fake.calls).toEqual(['requestSingleInstanceLock', 'quit']);
    expect(h.fake.windows).toEqual([]);
    expect(h.fake.protocolHandlers.size).toBe(0);
    expect(h.fake.ipcHandlers.size).toBe(0);
  });
});
