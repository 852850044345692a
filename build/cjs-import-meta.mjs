// Injected into the CommonJS bundles (build/bundle.mjs): `import.meta.url` of the bundle file.
import { pathToFileURL } from 'node:url';

export const import_meta_url = pathToFileURL(__filename).href;
