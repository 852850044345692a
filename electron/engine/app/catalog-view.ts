/** The catalog's answer (CatalogService's shapes) as the contract carries it. */
import type { Result } from '../../../shared/ipc/index.js';
import type { CatalogAnswer, InspectAnswer } from '../catalog/index.js';

export function catalogAnswerView(answer: CatalogAnswer): Result<'catalog.search'> {
  return {
    results: answer.results.map((r) => ({
      owner: r.owner,
      name: r.name,
      fullName: r.full_name,
      description: r.description || null,
      stars: r.stars,
      url: r.url,
      topics: r.topics,
      tier: r.trust_tier,
      installed: r.installed,
      runtime: r.runtime,
      installableWithoutToolchain: r.installable_without_toolchain,
      toolchain: r.toolchain,
      problem: r.problem,
    })),
    fetchedAt: answer.fetchedAt,
    fromCache: answer.fromCache,
    ageSeconds: Math.max(0, Math.round(answer.ageSeconds)),
    reason: answer.reason,
  };
}

/** What the look-ups found (CatalogService.inspectMany) as the contract carries it. */
export function catalogInspectView(answer: InspectAnswer): Result<'catalog.inspect'> {
  return {
    facts: Object.entries(answer.facts).map(([fullName, f]) => ({
      fullName,
      runtime: f.runtime,
      installableWithoutToolchain: f.installable_without_toolchain,
      toolchain: f.toolchain,
      problem: f.problem,
    })),
    failed: Object.entries(answer.failed).map(([fullName, message]) => ({ fullName, message })),
    limited: answer.limited,
  };
}
