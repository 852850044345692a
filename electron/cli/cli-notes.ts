// The lines `plugins audit` adds about how the fledge CLI sees a plugin (see InteropAuditFields).
import type { AuditRow } from '../engine/plugins/plugin-service.js';
import { PROGRAM } from './command.js';

export function cliNotes(row: AuditRow): string {
  const lines: string[] = [];
  if (row.linkedTo)
    lines.push(`  linked to ${row.linkedTo} (its files are that folder's; remove deletes only the link)`);
  if (row.grantedAllByCli) lines.push('  granted everything it declares, by the fledge CLI');
  if (row.changedByCli)
    lines.push(
      `  ${row.changedByCli} by the fledge CLI since this app last looked: check it, then "${PROGRAM} plugins approve ${row.name}"`,
    );
  return lines.map((l) => `${l}\n`).join('');
}
