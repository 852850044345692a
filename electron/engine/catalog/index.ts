// The plugin catalog: `fledge plugins search` through GitHub's repository search, with the last
// answer kept on disk for when GitHub cannot be reached.
export type { RepoFacts } from './catalog-cache.js';
export {
  CatalogService,
  type CatalogServiceOptions,
  describeAge,
  MAX_INSPECT_BATCH,
} from './catalog-service.js';
export { cliSearchJson } from './cli-json.js';
export type { InstallProgress, InstallProgressOptions, InstallProgressPhase } from './install-progress.js';
export { searchRequestPath } from './search-request.js';
export type { CatalogAnswer, CatalogQuery, CatalogResult, CatalogSort, InspectAnswer } from './types.js';
