// CatalogService: searches GitHub as `fledge plugins search` does (skeleton: filled in next).
import { HostError } from '../host/errors.js';
import type { CatalogAnswer, CatalogQuery } from './types.js';

export interface CatalogServiceOptions {
  /** The fledge config dir: the cache lives in <configDir>/fledge-desktop/, plugins.toml marks what is installed. */
  configDir: string;
  /** GitHub's REST API (default: $FLEDGE_GITHUB_API_URL, else https://api.github.com). */
  apiBaseUrl?: string;
  /** A GitHub token (default: $FLEDGE_GITHUB_TOKEN, else $GITHUB_TOKEN); null for none. */
  token?: string | null;
  fetch?: typeof fetch;
}

export class CatalogService {
  constructor(readonly options: CatalogServiceOptions) {}

  async search(_query: CatalogQuery): Promise<CatalogAnswer> {
    throw new HostError('catalog_unavailable', 'The plugin catalog is not ready yet.');
  }
}
