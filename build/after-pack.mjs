// electron-builder afterPack hook: flips Electron's fuses in the packaged binary (@electron/fuses),
// before signing. What each one closes:
// - RunAsNode off: ELECTRON_RUN_AS_NODE cannot turn the app into a plain Node that runs any script;
// - NODE_OPTIONS off, CLI inspect arguments off: no --require/--inspect injected from outside;
// - embedded asar integrity on, only load the app from the asar: a modified app.asar (or an app
//   folder next to it) is refused (macOS and Windows check the hash; Linux has no integrity check);
// - cookie encryption on; file:// gets no extra privileges (the renderer is served from app://).
// Sandbox processes are utility processes, so nothing needs RunAsNode.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FuseV1Options, FuseVersion, flipFuses } from '@electron/fuses';

/** Every fuse of the V1 wire, set explicitly (strictlyRequireAllFuses: a new fuse fails the build). */
export const FUSES = {
  version: FuseVersion.V1,
  strictlyRequireAllFuses: true,
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
  [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
  // V8's trap handlers make wasm bounds checks free; the sandbox runs wasm in utility processes.
  [FuseV1Options.WasmTrapHandlers]: true,
};

/** The Electron executable inside electron-builder's output for a platform. */
export function electronBinary(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  const name = packager.appInfo.productFilename;
  if (electronPlatformName === 'darwin' || electronPlatformName === 'mas')
    return join(appOutDir, `${name}.app`);
  if (electronPlatformName === 'win32') return join(appOutDir, `${name}.exe`);
  return join(appOutDir, packager.executableName);
}

/** Where electron-builder puts the files unpacked from the asar (asarUnpack). */
export function unpackedDir(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  if (electronPlatformName === 'darwin' || electronPlatformName === 'mas')
    return join(
      appOutDir,
      `${packager.appInfo.productFilename}.app`,
      'Contents',
      'Resources',
      'app.asar.unpacked',
    );
  return join(appOutDir, 'resources', 'app.asar.unpacked');
}

/**
 * The sandbox host and its workers are ES modules run from app.asar.unpacked/dist, where the app's
 * package.json ("type": "module") is not (it stays in the asar): one beside them says what they are,
 * so Node never has to guess.
 */
export async function markUnpackedModules(context) {
  const dist = join(unpackedDir(context), 'dist');
  if (existsSync(dist)) await writeFile(join(dist, 'package.json'), '{ "type": "module" }\n');
}

export default async function afterPack(context) {
  const mac = context.electronPlatformName === 'darwin' || context.electronPlatformName === 'mas';
  await markUnpackedModules(context);
  await flipFuses(electronBinary(context), { ...FUSES, resetAdHocDarwinSignature: mac });
}
