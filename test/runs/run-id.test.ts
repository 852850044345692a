// A run's id (engine/runs/run-id.ts): the shape of a UUID v4, which the IPC contract's ids accept, and
// unique across many runs.
import { describe, expect, it } from 'vitest';
import { newRunId } from '../../electron/engine/runs/run-id.js';
import { id } from '../../shared/ipc/schemas/common.js';

describe('run ids', () => {
  it('are UUID v4 shaped, accepted as ids by the IPC contract, and never repeat in 100,000', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) {
      const runId = newRunId();
      expect(runId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      seen.add(runId);
    }
    expect(seen.size).toBe(100_000);
    expect(id.safeParse(newRunId()).success).toBe(true);
  });
});
