// The plugin catalog: `fledge plugins search` through GitHub's repository search, with the last
// answer kept on disk for when GitHub cannot be reached.
export { CatalogService, type CatalogServiceOptions } from './catalog-service.js';
export type { InstallProgress, InstallProgressPhase } from './install-progress.js';
export type { CatalogAnswer, CatalogQuery, CatalogResult, CatalogSort } from './types.js';
