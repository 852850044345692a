/**
 * Checks a folder or an archive before installing, and reports every problem at once: the archive is
 * unpacked into staging with the installer's own limits (so a zip-slip or a bomb is refused here
 * too), plugin.toml is validated, and the staging copy is thrown away. Nothing is installed.
 */
import type { Result } from '../../../shared/ipc/index.js';
import { isHostError } from '../host/errors.js';
import { stagePlugin } from '../install/staging.js';
import { loadManifest } from '../manifest/load-manifest.js';

type Report = Result<'plugins.validate'>;

export async function validateSource(path: string, pluginsDir: string, cwd: string): Promise<Report> {
  let staged: Awaited<ReturnType<typeof stagePlugin>>;
  try {
    staged = await stagePlugin(path, { pluginsDir, cwd });
  } catch (err) {
    if (!isHostError(err)) throw err;
    return {
      valid: false,
      pluginName: null,
      version: null,
      runtime: null,
      errors: [{ field: '', rule: err.code, message: err.message }],
      warnings: [],
    };
  }
  try {
    const report = await loadManifest(staged.dir);
    const issue = (i: { path: string; rule: string; message: string }) => ({
      field: i.path,
      rule: i.rule,
      message: i.message,
    });
    return {
      valid: report.errors.length === 0,
      pluginName: report.name,
      version: report.manifest?.version ?? null,
      runtime: report.manifest?.runtime ?? null,
      errors: report.errors.map(issue),
      warnings: report.warnings.map(issue),
    };
  } finally {
    await staged.discard();
  }
}
