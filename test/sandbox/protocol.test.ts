// The fledge imports: init through recv, send, bad pointers, malformed messages, capability imports,
// interactive requests, a flood of messages, and a real C program.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NO_CAPABILITIES } from '../../shared/capabilities.js';
import { tempDir } from '../support/temp.js';
import {
  compileC,
  fixtureWasm,
  makePlugin,
  runFixture,
  runPlugin,
  sendingModule,
  sendThenEchoModule,
} from './helpers.js';

const project = {
  name: 'demo',
  root: '/tmp/demo',
  language: 'rust',
  git: { branch: 'main', dirty: false, remote: 'origin', remote_url: 'https://example.com/demo.git' },
};

function expectedInit(
  plugin: { name: string; dir: string },
  args: string[],
  proj: unknown,
  caps = NO_CAPABILITIES,
) {
  return JSON.stringify({
    type: 'init',
    protocol: 'fledge-v1',
    args,
    project: proj,
    plugin: { name: plugin.name, version: '0.1.0', dir: plugin.dir },
    fledge: { version: '1.7.0' },
    capabilities: {
      exec: caps.exec,
      store: caps.store,
      metadata: caps.metadata,
      filesystem: caps.filesystem,
      network: caps.network,
    },
  });
}

describe('init through recv', () => {
  it('arrives whole with a big buffer, exactly as the CLI sends it', async () => {
    const plugin = makePlugin(await fixtureWasm('echo-init', { CHUNK: 8192 }));
    const r = await runPlugin(plugin, { args: ['--fix', 'src'], project });
    expect(r.end).toMatchObject({ reason: 'exit', code: 0 });
    expect(r.output).toBe(expectedInit(plugin, ['--fix', 'src'], project));
    expect(r.events.filter((e) => e.type === 'output')).toHaveLength(1);
  });

  it('arrives in pieces through a small buffer', async () => {
    const plugin = makePlugin(await fixtureWasm('echo-init', { CHUNK: 7 }), {
      declared: { store: true, filesystem: 'project' },
    });
    const grants = { ...NO_CAPABILITIES, store: true, exec: true };
    const r = await runPlugin(plugin, { args: [], project: null, grants });
    const init = expectedInit(plugin, [], null, { ...NO_CAPABILITIES, store: true });
    expect(r.output).toBe(init);
    // 7 bytes per recv: many pieces, written to stdout one by one.
    expect(r.events.filter((e) => e.type === 'output').length).toBeGreaterThan(init.length / 7 - 1);
  });
});

describe('send', () => {
  it('accepts output with text or data, log and progress', async () => {
    const wasm = await sendingModule([
      '{"type":"output","text":"a"}',
      '{"type":"output","data":"b"}',
      '{"type":"log","level":"warn","message":"careful"}',
      '{"type":"log","level":"loud","message":"unknown level is info"}',
      '{"type":"progress","message":"working","current":1,"total":3}',
      '{"type":"progress","done":true}',
      '{"type":"output","text":"c","extra":"ignored"}',
    ]);
    const r = await runPlugin(makePlugin(wasm));
    expect(r.end.reason).toBe('exit');
    expect(r.output).toBe('abc');
    const rest = r.events
      .filter((e) => e.type === 'log' || e.type === 'progress')
      .map(({ t: _t, ...e }) => e);
    expect(rest).toEqual([
      { type: 'log', level: 'warn', message: 'careful', source: 'plugin' },
      { type: 'log', level: 'info', message: 'unknown level is info', source: 'plugin' },
      { type: 'progress', message: 'working', current: 1, total: 3 },
      { type: 'progress', done: true },
    ]);
  });

  it('logs and skips malformed JSON, non-UTF-8, unknown types and typeless messages', async () => {
    const wasm = await sendingModule([
      '{"type":"output","text":"before"}',
      '{"type":"output","text":',
      new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
      '{"type":"teleport","where":"mars"}',
      '[1,2,3]',
      '{"text":"no type"}',
      '{"type":"prompt","message":"no id"}',
      '{"type":"output"}',
      '{"type":"output","text":"after"}',
    ]);
    const r = await runPlugin(makePlugin(wasm));
    expect(r.end).toMatchObject({ reason: 'exit', code: 0 });
    expect(r.output).toBe('beforeafter');
    const warnings = r.logs.filter((l) => l.level === 'warn' && l.source === 'host').map((l) => l.message);
    expect(warnings).toHaveLength(7);
    expect(warnings[0]).toMatch(/malformed JSON/);
    expect(warnings[1]).toMatch(/not valid UTF-8/);
    expect(warnings[2]).toMatch(/unknown type "teleport"/);
    expect(warnings[3]).toMatch(/without a "type"/);
    expect(warnings[5]).toMatch(/prompt request without an id/);
    expect(r.events.some((e) => e.type === 'request')).toBe(false);
  });
});

describe('bad pointers trap the plugin cleanly', () => {
  const cases: [string, string][] = [
    ['send with a negative pointer', '(call $send (i32.const -1) (i32.const 10))'],
    ['send with a negative length', '(call $send (i32.const 0) (i32.const -5))'],
    ['send past the end of memory', '(call $send (i32.const 65530) (i32.const 100))'],
    ['send with an overflowing range', '(call $send (i32.const 0x7ffffff0) (i32.const 0x7ffffff0))'],
    ['recv with a negative pointer', '(drop (call $recv (i32.const -100) (i32.const 10)))'],
    ['recv past the end of memory', '(drop (call $recv (i32.const 65000) (i32.const 4096)))'],
    ['recv with a negative length', '(drop (call $recv (i32.const 0) (i32.const -1)))'],
  ];
  for (const [name, call] of cases) {
    it(name, async () => {
      const r = await runFixture('bad-pointer', { CALL: call });
      expect(r.end.reason).toBe('trap');
      expect(r.end.message).toMatch(/^Plugin 'fledge-test-\d+' trapped: fledge\.(send|recv) was given/);
      expect(r.output).toBe('');
    });
  }

  it('a trap cannot be caught by the plugin: the run still ends with it', async () => {
    // With exception handling a module could try to catch our trap; the stop is sticky.
    const r = await runFixture('bad-pointer', {
      CALL: '(call $send (i32.const -1) (i32.const 1)) (call $send (i32.const 16) (i32.const 35))',
    });
    expect(r.end.reason).toBe('trap');
  });
});

describe('capability imports', () => {
  it('an import the manifest does not declare fails at load, naming every capability', async () => {
    const r = await runFixture('capabilities');
    expect(r.end.reason).toBe('error');
    expect(r.end.message).toMatch(
      /imports functions that require capabilities not granted: exec, metadata, store$/,
    );
  });

  it('declared but not granted: the denial stubs answer like the native protocol', async () => {
    const r = await runFixture('capabilities', {}, { declared: { exec: true, store: true, metadata: true } });
    expect(r.end).toMatchObject({ reason: 'exit', code: 0 });
    const lines = r.output.split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ code: 126, stdout: '' });
    expect(JSON.parse(lines[0]!).stderr).toMatch(/exec capability was not granted/);
    expect(lines[1]).toBe('null');
    expect(lines[2]).toBe('{}');
    expect(r.events.find((e) => e.type === 'exec')).toMatchObject({ command: 'echo hi', code: 126 });
  });

  it('granted: calls go to the host services (denying until they are wired)', async () => {
    const grants = { ...NO_CAPABILITIES, exec: true, store: true, metadata: true };
    const calls: string[] = [];
    const r = await runFixture(
      'capabilities',
      {},
      {
        declared: { exec: true, store: true, metadata: true },
        grants,
        hostServices: {
          exec: async (req) => {
            calls.push(`exec ${req.command}`);
            return { code: 0, stdout: 'hi\n', stderr: '' };
          },
          storeGet: async (key) => {
            calls.push(`get ${key}`);
            return 'v';
          },
          storeSet: async (key, value) => {
            calls.push(`set ${key}=${value}`);
          },
          metadata: async (keys) => {
            calls.push(`metadata ${keys.join(',')}`);
            return { git_tags: ['v1'] };
          },
        },
      },
    );
    expect(r.end).toMatchObject({ reason: 'exit', code: 0 });
    expect(calls).toEqual(['exec echo hi', 'set k=v', 'get k', 'metadata git_tags']);
    expect(r.output.split('\n').slice(0, 3)).toEqual([
      '{"code":0,"stdout":"hi\\n","stderr":""}',
      '"v"',
      '{"git_tags":["v1"]}',
    ]);
  });
});

describe('many messages', () => {
  it('200,000 output messages all arrive, in order', async () => {
    const plugin = makePlugin(await fixtureWasm('flood', { COUNT: 200_000 }));
    const r = await runPlugin(plugin);
    expect(r.end).toMatchObject({ reason: 'exit', code: 0 });
    const outputs = r.events.filter((e) => e.type === 'output');
    expect(outputs).toHaveLength(200_000);
    for (let i = 0; i < outputs.length; i++) {
      if ((outputs[i] as { text: string }).text !== String(i)) throw new Error(`message ${i} out of order`);
    }
  });
});

describe('a real C program (clang, wasm32-wasi)', () => {
  const cdir = tempDir('c');
  it('runs through fledge.send, WASI stdout and stderr, and exits with its code', async () => {
    const binary = compileC('primes', cdir);
    const plugin = makePlugin(new Uint8Array(readFileSync(binary)));
    const ok = await runPlugin(plugin);
    expect(ok.end).toMatchObject({ reason: 'exit', code: 0 });
    expect(ok.output).toBe('primes: 17984\ninit: yes\n');
    expect(ok.events.filter((e) => e.type === 'stderr').map((e) => (e as { line: string }).line)).toEqual([
      'a line on stderr',
    ]);
    const fail = await runPlugin(plugin, { args: ['fail'] });
    expect(fail.end).toMatchObject({ reason: 'exit', code: 7 });
    const again = await runPlugin(plugin);
    expect(again.output).toBe(ok.output);
    expect(again.end.fuelUsed).toBe(ok.end.fuelUsed);
    expect(ok.end.fuelUsed).toBeGreaterThan(100_000);
  });
});

describe('requests sent as protocol messages (load, exec, metadata, store)', () => {
  const messages = [
    '{"type":"store","key":"k","value":"v"}',
    '{"type":"load","id":1,"key":"k"}',
    '{"type":"exec","id":"e","command":"git status"}',
    '{"type":"metadata","id":"m","keys":["git_tags"]}',
    '{"type":"load","key":"no id"}',
  ];

  it('not granted: answered at once like the native protocol (ids echoed as sent)', async () => {
    const r = await runPlugin(makePlugin(await sendThenEchoModule(messages)));
    expect(r.end).toMatchObject({ reason: 'exit', code: 0 });
    const lines = r.output
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0].type).toBe('init');
    expect(lines[1]).toEqual({ type: 'response', id: 1, value: null });
    expect(lines[2]).toMatchObject({ type: 'response', id: 'e', value: { code: 126, stdout: '' } });
    expect(lines[3]).toEqual({ type: 'response', id: 'm', value: {} });
    expect(lines).toHaveLength(4);
    expect(r.logs.some((l) => /load request without an id/.test(l.message))).toBe(true);
  });

  it('granted: the plugin waits in recv for the host services, and gets each response', async () => {
    const store = new Map<string, string>();
    const plugin = makePlugin(await sendThenEchoModule(messages), {
      declared: { store: true, exec: true, metadata: true },
    });
    const r = await runPlugin(plugin, {
      grants: { ...NO_CAPABILITIES, store: true, exec: true, metadata: true },
      hostServices: {
        exec: async (req) => {
          await new Promise((res) => setTimeout(res, 50));
          return { code: 0, stdout: `ran ${req.command}`, stderr: '' };
        },
        storeGet: async (key) => store.get(key) ?? null,
        storeSet: async (key, value) => {
          store.set(key, value);
        },
        metadata: async () => ({ git_tags: [] }),
      },
    });
    expect(r.end).toMatchObject({ reason: 'exit', code: 0 });
    const lines = r.output
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.slice(1)).toEqual([
      { type: 'response', id: 1, value: 'v' },
      { type: 'response', id: 'e', value: { code: 0, stdout: 'ran git status', stderr: '' } },
      { type: 'response', id: 'm', value: { git_tags: [] } },
    ]);
    expect(r.events.find((e) => e.type === 'exec')).toMatchObject({ command: 'git status', code: 0 });
  });
});

describe('events are not held back while the plugin computes', () => {
  it('outputs sent before a long computation reach the engine while it still runs', async () => {
    const wasm = await sendingModule(
      ['{"type":"output","text":"a"}', '{"type":"progress","message":"b"}', '{"type":"output","text":"c"}'],
      '(loop $spin (br $spin))',
    );
    const r = await runPlugin(makePlugin(wasm), {
      limits: { fuel: 10n ** 15n, timeoutMs: 20_000 },
      timings: { cancelGraceMs: 100 },
      onEvent: (e, run) => {
        if (e.type === 'output' && e.text === 'c') run.cancel();
      },
    });
    // Cancelled on the third event, long before the time limit: the events came while it spun.
    expect(r.end).toMatchObject({ reason: 'error', code: 130 });
    expect(r.output).toBe('ac');
  });
});

describe('big messages', () => {
  it('an output bigger than the event ring takes its own way, in order', async () => {
    const big = 'x'.repeat(150_000);
    const wasm = await sendingModule([
      '{"type":"output","text":"before "}',
      `{"type":"output","text":"${big}"}`,
      '{"type":"output","text":" after"}',
    ]);
    const r = await runPlugin(makePlugin(wasm));
    expect(r.end).toMatchObject({ reason: 'exit', code: 0 });
    expect(r.output).toBe(`before ${big} after`);
  });
});
