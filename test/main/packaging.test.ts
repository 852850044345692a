// Packaging (electron-builder): the configuration passes electron-builder's own validation, names
// the targets, icons and files it must, and its afterPack hook really flips the fuses listed in the
// issue (run here on a stand-in binary carrying Electron's fuse wire).
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FuseState, FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
// electron-builder's own validation of a configuration (the one `electron-builder` runs first)
import { validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { describe, expect, it } from 'vitest';
import afterPack, {
  electronBinary,
  FUSES,
  markUnpackedModules,
  unpackedDir,
} from '../../build/after-pack.mjs';
// @ts-expect-error plain ESM build script without types
import { electronAddonFile } from '../../build/native.mjs';
import { RunManager } from '../../electron/engine/runs/index.js';
import { unpackedPath } from '../../electron/main/sandbox/electron-utility.js';
import { UtilitySandboxLauncher } from '../../electron/main/sandbox/utility-launcher.js';
import { NO_CAPABILITIES } from '../../shared/capabilities.js';
import { fixtureWasm, makePlugin } from '../sandbox/helpers.js';
import { repoRoot } from '../support/cli.js';
import { tempDir } from '../support/temp.js';
import { StandInElectron } from '../support/utility-stand-in/index.js';

const config = JSON.parse(readFileSync(join(repoRoot, 'build', 'electron-builder.json'), 'utf8'));
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
const validate = (c: unknown) =>
  validateConfiguration(
    c as Parameters<typeof validateConfiguration>[0],
    {
      isEnabled: false,
      add() {},
    } as unknown as Parameters<typeof validateConfiguration>[1],
  );

/** Width and height from a PNG's IHDR, or null when the file is not a PNG. */
function pngSize(path: string): { width: number; height: number } | null {
  const b = readFileSync(path);
  if (b.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a' || b.subarray(12, 16).toString() !== 'IHDR')
    return null;
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

describe('the packaged layout', () => {
  it('runs a plugin from app.asar.unpacked/dist, marked by afterPack as ES modules', async () => {
    const out = tempDir('packaged');
    const context = {
      appOutDir: out,
      electronPlatformName: 'linux',
      packager: { appInfo: { productFilename: 'Fledge' }, executableName: 'fledge-desktop' },
    };
    const dist = join(unpackedDir(context), 'dist');
    mkdirSync(dist, { recursive: true });
    for (const f of config.asarUnpack as string[])
      if (f.startsWith('dist/')) copyFileSync(join(repoRoot, f), join(dist, f.slice('dist/'.length)));
    const hostScript = unpackedPath(join(out, 'resources', 'app.asar', 'dist', 'sandbox-host.js'));
    expect(hostScript).toBe(join(dist, 'sandbox-host.js'));
    const run = async () => {
      const manager = new RunManager({
        launcher: new UtilitySandboxLauncher(new StandInElectron(), { hostScript }),
        poolSize: 0,
      });
      const plugin = makePlugin(await fixtureWasm('hello'));
      const r = manager.start({
        plugin: { name: plugin.name, version: '0.1.0', dir: plugin.dir, declared: plugin.declared },
        command: plugin.name,
        binary: plugin.binary,
        grants: NO_CAPABILITIES,
      });
      const end = await r.ended;
      await manager.close();
      return end;
    };
    // Without it, Node would have to detect the module syntax (Node 20.19+ and 22 do, older ones fail).
    await markUnpackedModules(context);
    expect(await run()).toMatchObject({ reason: 'exit', code: 0 });
  });
});

describe('electron-builder configuration', () => {
  it("passes electron-builder's own schema validation (and a wrong key would not)", async () => {
    await expect(validate(config)).resolves.toBeUndefined();
    await expect(validate({ ...config, mac: { ...config.mac, hardenedRuntim: true } })).rejects.toThrow(
      /does not match the API schema/,
    );
  });

  it('builds AppImage + deb, a dmg with the hardened runtime, an nsis installer, under one app id', () => {
    expect(config.appId).toBe('dev.fledge.desktop');
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.mac.hardenedRuntime).toBe(true);
    expect(config.win.target).toEqual(['nsis']);
    const entitlements = readFileSync(join(repoRoot, config.mac.entitlements), 'utf8');
    expect(entitlements).toMatch(/<key>com\.apple\.security\.cs\.allow-jit<\/key>\s*<true\/>/);
    expect(pkg.scripts.dist).toMatch(/electron-builder --config build\/electron-builder\.json/);
    expect(pkg.main).toBe('dist/main.js');
  });

  it('has real PNG icons at every size, 1024 px for macOS and Windows', () => {
    for (const size of [16, 32, 48, 64, 128, 256, 512, 1024])
      expect(pngSize(join(repoRoot, config.linux.icon, `${size}x${size}.png`))).toEqual({
        width: size,
        height: size,
      });
    expect(pngSize(join(repoRoot, config.mac.icon))).toEqual({ width: 1024, height: 1024 });
    expect(config.win.icon).toBe(config.mac.icon);
  });

  it('names files that exist after npm run build, and unpacks the sandbox host and workers from the asar', () => {
    const named = (config.files as string[]).filter((f) => !f.includes('*') && !f.startsWith('!'));
    expect(named).toEqual(
      expect.arrayContaining(['dist/main.js', 'dist/preload.cjs', 'dist/sandbox-host.js']),
    );
    for (const f of named) expect(existsSync(join(repoRoot, f)), f).toBe(true);
    // The sandbox host starts the CommonJS worker build when it is beside it (~9 ms sooner).
    const workers = [
      'dist/sandbox-host.js',
      'dist/sandbox-worker.js',
      'dist/sandbox-worker.cjs',
      'dist/sandbox-worker-main.cjs',
      'dist/prepare-worker.js',
    ];
    expect(named).toEqual(expect.arrayContaining(workers));
    expect(config.asarUnpack).toEqual(expect.arrayContaining(workers));
    for (const f of (config.asarUnpack as string[]).filter((x) => !x.includes('*')))
      expect(existsSync(join(repoRoot, f)), f).toBe(true);
    // the renderer (dist/renderer/**) is Vite's output folder
    expect(readFileSync(join(repoRoot, 'renderer', 'vite.config.ts'), 'utf8')).toMatch(
      /outDir: `\$\{here\}\.\.\/dist\/renderer`/,
    );
    expect(existsSync(join(repoRoot, config.afterPack))).toBe(true);
  });

  it('ships the sandbox addon (code cache, huge pages) built for its Electron, unpacked, where the sandbox looks for it', () => {
    // build/native.mjs --electron (npm run dist) writes it; sandbox-addon.ts loads it under Electron
    // from app.asar.unpacked/native/... (a .node cannot load from inside the asar).
    const shipped = 'native/wasm-code-cache/electron/*.node';
    expect(config.files).toContain(shipped);
    expect(config.asarUnpack).toContain(shipped);
    expect(join(repoRoot, shipped).replace('*.node', 'wasm_code_cache.node')).toBe(electronAddonFile);
    expect(readFileSync(join(repoRoot, 'electron', 'sandbox', 'sandbox-addon.ts'), 'utf8')).toContain(
      "join('native', 'wasm-code-cache', 'electron', 'wasm_code_cache.node')",
    );
    expect(JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).scripts.dist).toMatch(
      /node build\/native\.mjs --electron && electron-builder/,
    );
  });

  it('lists every fuse of the wire with the settings the issue asks for', () => {
    expect(FUSES).toEqual({
      version: '1',
      strictlyRequireAllFuses: true,
      [FuseV1Options.RunAsNode]: false,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
      [FuseV1Options.EnableNodeCliInspectArguments]: false,
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
      [FuseV1Options.OnlyLoadAppFromAsar]: true,
      [FuseV1Options.EnableCookieEncryption]: true,
      [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
      [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
      [FuseV1Options.WasmTrapHandlers]: true,
    });
  });

  it('afterPack flips those fuses in the packaged binary', async () => {
    const out = tempDir('after-pack');
    const context = {
      appOutDir: out,
      electronPlatformName: 'linux',
      packager: { appInfo: { productFilename: 'Fledge' }, executableName: 'fledge-desktop' },
    };
    const binary = electronBinary(context);
    expect(binary).toBe(join(out, 'fledge-desktop'));
    // A stand-in for Electron's binary: bytes around the fuse sentinel, version 1, 9 fuses all enabled.
    const wire = Buffer.concat([
      Buffer.alloc(4096, 7),
      Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'),
      Buffer.from([1, 9]),
      Buffer.alloc(9, FuseState.ENABLE),
      Buffer.alloc(4096, 7),
    ]);
    writeFileSync(binary, wire);
    mkdirSync(join(out, 'resources', 'app.asar.unpacked', 'dist'), { recursive: true });
    await afterPack(context);
    // the unpacked sandbox host and workers are marked as ES modules (the app's package.json is in the asar)
    expect(
      JSON.parse(readFileSync(join(out, 'resources', 'app.asar.unpacked', 'dist', 'package.json'), 'utf8')),
    ).toEqual({
      type: 'module',
    });
    const fuses = await getCurrentFuseWire(binary);
    expect(fuses[FuseV1Options.RunAsNode]).toBe(FuseState.DISABLE);
    expect(fuses[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(FuseState.DISABLE);
    expect(fuses[FuseV1Options.EnableNodeCliInspectArguments]).toBe(FuseState.DISABLE);
    expect(fuses[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(FuseState.ENABLE);
    expect(fuses[FuseV1Options.OnlyLoadAppFromAsar]).toBe(FuseState.ENABLE);
    expect(fuses[FuseV1Options.EnableCookieEncryption]).toBe(FuseState.ENABLE);
    expect(fuses[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(FuseState.DISABLE);
    expect(electronBinary({ ...context, electronPlatformName: 'darwin' })).toBe(join(out, 'Fledge.app'));
    expect(electronBinary({ ...context, electronPlatformName: 'win32' })).toBe(join(out, 'Fledge.exe'));
  });
});
