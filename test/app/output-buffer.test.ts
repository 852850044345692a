// A run's kept output: every event up to the cap, then only what the status and the "what it
// touched" report are made of (commands run, files opened, denials, questions, the end).
import { describe, expect, it } from 'vitest';
import { MAX_REPORT_EVENTS, OutputBuffer } from '../../electron/engine/app/output-buffer.js';

describe('OutputBuffer', () => {
  it('keeps output up to the cap and the report events past it', () => {
    const buf = new OutputBuffer({ maxEvents: 10, maxChars: 1_000_000 });
    buf.push([{ type: 'started', t: 0, runId: 'r', plugin: 'p', command: 'c', pid: 1 }]);
    buf.push(Array.from({ length: 100 }, (_, i) => ({ type: 'output' as const, t: i, text: `line ${i}` })));
    buf.push([
      { type: 'exec', t: 1, command: 'git status', cwd: null, code: 0, durationMs: 3 },
      { type: 'file', t: 2, mount: '/project', path: '/project/README.md', access: 'read' },
      { type: 'denied', t: 3, capability: 'exec', what: 'rm -rf /' },
      { type: 'output', t: 4, text: 'more' },
      { type: 'exit', t: 5, code: 0, reason: 'exit', message: 'done', fuelUsed: 1, durationMs: 1 },
    ]);
    expect(buf.truncated).toBe(true);
    expect(buf.total).toBe(106);
    expect(buf.events.map((e) => e.type)).toEqual([
      'started',
      ...Array(9).fill('output'),
      'exec',
      'file',
      'denied',
      'exit',
    ]);
  });

  it('caps report events too (but never the end), and counts text against the character cap', () => {
    const buf = new OutputBuffer({ maxEvents: 1_000_000, maxChars: 100 });
    buf.push([{ type: 'output', t: 0, text: 'x'.repeat(500) }]);
    expect(buf.events).toEqual([]);
    buf.push(
      Array.from({ length: MAX_REPORT_EVENTS + 10 }, (_, i) => ({
        type: 'denied' as const,
        t: i,
        capability: 'exec',
        what: 'x',
      })),
    );
    buf.push([
      { type: 'exit', t: 9, code: 1, reason: 'crash', message: 'crashed', fuelUsed: 0, durationMs: 1 },
    ]);
    expect(buf.events.length).toBe(MAX_REPORT_EVENTS + 1);
    expect(buf.events.at(-1)?.type).toBe('exit');
  });
});
