// `plugins search [KEYWORDS] [--topic T] [--owner O] [--limit N] [--json]`: the fledge CLI's search
// (same request, same --json output), with the last saved results when GitHub cannot answer.

import { TRUST_TIERS, type TrustTier } from '../../../shared/consent.js';
import { readGitHubSettings } from '../../engine/catalog/github-settings.js';
import { type CatalogResult, CatalogService, cliSearchJson } from '../../engine/catalog/index.js';
import { parseCommandArgs } from '../args.js';
import { type CliCommand, PROGRAM, UsageError } from '../command.js';
import { configDirFor, reportHostError } from './service.js';

const options = {
  topic: { type: 'string', short: 't' },
  owner: { type: 'string', short: 'o' },
  author: { type: 'string', short: 'a' },
  limit: { type: 'string', short: 'l' },
  'trust-tier': { type: 'string' },
  json: { type: 'boolean' },
} as const;

function describe(r: CatalogResult): string {
  const topics = r.topics.filter((t) => t !== 'fledge-plugin');
  const notes = [
    r.installed ? 'installed' : null,
    r.runtime,
    r.installable_without_toolchain === false ? 'needs a toolchain to build' : null,
  ].filter(Boolean);
  return `  ${r.full_name}  [${r.trust_tier}]  ${r.description}  * ${r.stars}${topics.length ? `  ${topics.join(', ')}` : ''}${notes.length ? `  (${notes.join(', ')})` : ''}`;
}

export const pluginsSearchCommand: CliCommand = {
  name: 'search',
  summary: 'search GitHub for plugins (repositories with the fledge-plugin topic), as fledge does',
  usage: `Usage: ${PROGRAM} plugins search [KEYWORDS] [--topic T] [--owner O] [--limit N] [--trust-tier T] [--json]

Asks GitHub's repository search for fledge plugins, exactly as "fledge plugins search" does, best
starred first. When GitHub cannot be reached (offline, rate limited), the results saved from the
last time the same search worked are shown, with their age.

Options:
  -t, --topic T          also require this GitHub topic (e.g. ci, rust)
  -o, --owner O          only this GitHub user or organisation (also -a, --author, as fledge)
  -l, --limit N          at most N results, 1-100 (default 20)
      --trust-tier T     only results of this tier: official, team or unverified
      --json             print fledge's JSON: {"results":[{owner,name,full_name,description,stars,url,topics,trust_tier}],"schema_version":1}

GitHub: FLEDGE_GITHUB_API_URL (default https://api.github.com); a token from FLEDGE_GITHUB_TOKEN,
GITHUB_TOKEN or [github] token in config.toml raises GitHub's request limit.
`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, options, {
      min: 0,
      max: Number.POSITIVE_INFINITY,
    });
    let limit: number | undefined;
    if (values.limit !== undefined) {
      limit = Number(values.limit);
      if (!/^\d+$/.test(values.limit) || limit < 1 || limit > 100)
        throw new UsageError(`--limit must be a whole number from 1 to 100 (got "${values.limit}")`);
    }
    const tier = values['trust-tier'];
    if (tier !== undefined && !TRUST_TIERS.includes(tier as TrustTier))
      throw new UsageError(`--trust-tier must be one of ${TRUST_TIERS.join(', ')} (got "${tier}")`);
    if (values.owner !== undefined && values.author !== undefined && values.owner !== values.author)
      throw new UsageError('give --owner or --author, not both');
    const configDir = configDirFor(io);
    return reportHostError(io, async () => {
      const settings = await readGitHubSettings(configDir, io.env);
      const catalog = new CatalogService({
        configDir,
        apiBaseUrl: settings.baseUrl,
        token: settings.token,
        env: io.env,
      });
      const keywords = positionals.join(' ');
      const answer = await catalog.search({
        ...(keywords ? { keywords } : {}),
        ...(values.topic !== undefined ? { topic: values.topic } : {}),
        ...((values.owner ?? values.author) !== undefined ? { owner: values.owner ?? values.author } : {}),
        ...(limit !== undefined ? { limit } : {}),
      });
      if (answer.reason) io.stderr(`${answer.fromCache ? 'warning' : 'error'}: ${answer.reason}\n`);
      if (!answer.fromCache && answer.reason) return 1;
      const results = tier ? answer.results.filter((r) => r.trust_tier === tier) : answer.results;
      if (values.json) {
        io.stdout(`${cliSearchJson(results)}\n`);
        return 0;
      }
      if (results.length === 0) {
        io.stdout(`No plugins found${keywords ? ` matching '${keywords}'` : ''}.\n`);
        return 0;
      }
      io.stdout(
        `Available plugins:\n${results.map(describe).join('\n')}\n\n  Install with: ${PROGRAM} plugins install <owner/repo>\n`,
      );
      return 0;
    });
  },
};
