// Types of build/after-pack.mjs (the electron-builder hook is plain ESM so electron-builder loads it as is).
import type { FuseV1Options, FuseVersion } from '@electron/fuses';

export interface PackContext {
  appOutDir: string;
  electronPlatformName: string;
  packager: { appInfo: { productFilename: string }; executableName: string };
}

export declare const FUSES: { version: FuseVersion; strictlyRequireAllFuses: true } & Record<
  FuseV1Options,
  boolean
>;
export declare function electronBinary(context: PackContext): string;
export declare function unpackedDir(context: PackContext): string;
export declare function markUnpackedModules(context: PackContext): Promise<void>;
export default function afterPack(context: PackContext): Promise<void>;
