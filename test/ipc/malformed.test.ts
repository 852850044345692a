// Malformed requests are refused on both sides of the contract with an error that names the field,
// before anything happens: the client refuses to send them, the host (in-process dispatcher and the
// browser-mode WebSocket) refuses them again, and the service's state is the same afterwards.
// A hostile host is refused by the client too (bad results, bad events).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { MAX_IN_FLIGHT } from '../../electron/serve/ws-transport.js';
import { createClient, IpcError, type Transport } from '../../shared/ipc/index.js';
import { closeAll, installViaApp, pluginFolder } from '../app/helpers.js';
import { closeServers, servedWorld } from '../serve/helpers.js';

afterAll(async () => {
  await closeServers();
  await closeAll();
});

interface Case {
  what: string;
  method: string;
  params: unknown;
  /** Words the refusal must contain (the field and what is wrong). */
  says: RegExp;
}

const long = 'x'.repeat(10_000);
const CASES: Case[] = [
  {
    what: 'wrong type',
    method: 'plugins.get',
    params: { name: 5 },
    says: /name must be text, not a whole number/,
  },
  { what: 'missing field', method: 'plugins.get', params: {}, says: /name is missing/ },
  {
    what: 'unknown field',
    method: 'plugins.get',
    params: { name: 'a', extra: 1 },
    says: /unknown field "extra"/,
  },
  {
    what: '__proto__ key',
    method: 'plugins.get',
    params: JSON.parse('{"name":"a","__proto__":{"polluted":1}}'),
    says: /unknown field "__proto__"/,
  },
  {
    what: 'constructor key',
    method: 'plugins.get',
    params: { name: 'a', constructor: { prototype: { polluted: 1 } } },
    says: /unknown field "constructor"/,
  },
  {
    what: 'huge string',
    method: 'plugins.get',
    params: { name: long },
    says: /name is too long \(at most 128 characters\)/,
  },
  {
    what: 'path as a name',
    method: 'plugins.remove',
    params: { name: '../../etc' },
    says: /name must be a plugin name/,
  },
  { what: 'empty path', method: 'projects.open', params: { path: '' }, says: /path must not be empty/ },
  {
    what: 'NUL in a path',
    method: 'projects.open',
    params: { path: '/tmp/a\u0000b' },
    says: /path must not contain a NUL/,
  },
  { what: 'huge path', method: 'projects.open', params: { path: `/${long}` }, says: /path is too long/ },
  {
    what: 'args not a list',
    method: 'runs.start',
    params: { plugin: 'p', args: 'a b' },
    says: /args must be a list, not text/,
  },
  {
    what: 'too many args',
    method: 'runs.start',
    params: { plugin: 'p', args: Array(300).fill('a') },
    says: /args has too many arguments/,
  },
  {
    what: 'huge argument',
    method: 'runs.start',
    params: { plugin: 'p', args: [long] },
    says: /args\[0\] is too long/,
  },
  {
    what: 'answer of no accepted shape',
    method: 'runs.answer',
    params: { runId: 'r', requestId: 'q', value: { a: 1 } },
    says: /value must be text, true or false, or a list of texts/,
  },
  {
    what: 'answer missing',
    method: 'runs.answer',
    params: { runId: 'r', requestId: 'q' },
    says: /value is missing/,
  },
  {
    what: 'enum value',
    method: 'settings.update',
    params: { theme: 'purple' },
    says: /theme must be one of "system", "light", "dark"/,
  },
  {
    what: 'number too big',
    method: 'settings.update',
    params: { defaultLimits: { memoryMb: 99_999 } },
    says: /defaultLimits\.memoryMb must be at most 4096/,
  },
  {
    what: 'not a whole number',
    method: 'settings.update',
    params: { defaultLimits: { fuel: 1.5 } },
    says: /defaultLimits\.fuel must be a whole number/,
  },
  {
    what: 'number too small',
    method: 'settings.update',
    params: { defaultLimits: { timeoutMs: -5 } },
    says: /defaultLimits\.timeoutMs must be at least 100/,
  },
  {
    what: 'number as text',
    method: 'plugins.setLimits',
    params: { name: 'a', limits: { memoryMb: 'lots' } },
    says: /limits\.memoryMb must be a number, not text/,
  },
  {
    what: 'unknown source kind',
    method: 'plugins.install',
    params: { source: { kind: 'ftp', path: '/x' } },
    says: /source\.kind must be one of "path", "upload", "git"/,
  },
  {
    what: 'a path passed as git',
    method: 'plugins.install',
    params: { source: { kind: 'git', spec: '/etc/passwd' } },
    says: /source\.spec must be owner\/repo/,
  },
  {
    what: 'option-like git spec',
    method: 'plugins.install',
    params: { source: { kind: 'git', spec: '--upload-pack=evil' } },
    says: /source\.spec must be owner\/repo/,
  },
  {
    what: 'source without its path',
    method: 'plugins.install',
    params: { source: { kind: 'path' } },
    says: /source\.path is missing/,
  },
  {
    what: 'upload name with folders',
    method: 'plugins.upload',
    params: { fileName: '../evil.zip', base64: 'AAAA' },
    says: /fileName must be a plain file name/,
  },
  {
    what: 'upload not an archive',
    method: 'plugins.upload',
    params: { fileName: 'x.exe', base64: 'AAAA' },
    says: /fileName must be a plugin archive/,
  },
  {
    what: 'upload not base64',
    method: 'plugins.upload',
    params: { fileName: 'p.zip', base64: '!!!!' },
    says: /base64 must be base64 text/,
  },
  {
    what: 'grant not a boolean',
    method: 'consent.answer',
    params: { consentId: 'c', decision: { answer: 'install', grants: { exec: 'yes' }, allowBuild: false } },
    says: /decision\.grants\.exec must be true or false, not text/,
  },
  {
    what: 'unknown answer',
    method: 'consent.answer',
    params: { consentId: 'c', decision: { answer: 'maybe' } },
    says: /decision\.answer must be one of "install", "decline"/,
  },
  {
    what: 'unknown capability',
    method: 'plugins.grant',
    params: { name: 'a', capabilities: ['root'] },
    says: /capabilities\[0\] must be one of "exec"/,
  },
  {
    what: 'token with spaces',
    method: 'settings.setGithubToken',
    params: { token: 'abc def' },
    says: /token must be a GitHub token/,
  },
  {
    what: 'limit out of range',
    method: 'catalog.search',
    params: { limit: 1000 },
    says: /limit must be at most 100/,
  },
  {
    what: 'partial window bounds',
    method: 'app.setState',
    params: { windowBounds: { x: 1 } },
    says: /windowBounds\.y is missing/,
  },
  {
    what: 'params not an object',
    method: 'plugins.list',
    params: 'x',
    says: /it must be an object, not text/,
  },
  { what: 'params null', method: 'plugins.list', params: null, says: /it must be an object, not null/ },
  { what: 'params a list', method: 'settings.get', params: [1], says: /it must be an object, not a list/ },
  { what: 'unknown method', method: 'plugins.hack', params: {}, says: /no method "plugins\.hack"/ },
  { what: 'prototype name as a method', method: '__proto__', params: {}, says: /no method "__proto__"/ },
  { what: 'Object method as a method', method: 'toString', params: {}, says: /no method "toString"/ },
  { what: 'constructor as a method', method: 'constructor', params: {}, says: /no method "constructor"/ },
];

/** Everything a person could notice: the answers of the read methods and every file of the config dir. */
async function snapshot(call: (m: string, p?: unknown) => Promise<unknown>, configDir: string) {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (!name.endsWith('.lock')) files[p] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(configDir);
  return {
    files,
    reads: await Promise.all(
      [
        'plugins.list',
        'settings.get',
        'projects.list',
        'app.getState',
        'runs.history',
        'operations.list',
        'consent.pending',
      ].map((m) => call(m, {})),
    ),
  };
}

const world = await servedWorld();
await world.client.projects.open({ path: world.root });
await installViaApp(world, await pluginFolder(world.root, 'a', 'hello', { store: true }), { store: true });
await world.client.settings.update({ theme: 'light' });
const unwrap = async (m: string, p?: unknown) => {
  const r = await world.service.dispatch(m, p);
  return r.ok ? r.result : r.error;
};
const before = await snapshot(unwrap, world.configDir);

describe(`${CASES.length} malformed requests`, () => {
  it('the client refuses each before sending anything, naming the field', async () => {
    let sent = 0;
    const spy: Transport = {
      call: async () => {
        sent++;
        return { ok: true, result: {} };
      },
      subscribe: () => () => undefined,
    };
    const client = createClient(spy);
    for (const c of CASES) {
      const err = await client.call(c.method as never, c.params as never).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, c.what).toBeInstanceOf(IpcError);
      expect((err as IpcError).code, c.what).toMatch(/^(invalid_request|unknown_method)$/);
      expect((err as IpcError).message, c.what).toMatch(c.says);
    }
    expect(sent).toBe(0);
  });

  it('the host refuses each (in-process dispatcher), naming the field, and nothing changes', async () => {
    for (const c of CASES) {
      const reply = await world.service.dispatch(c.method, c.params);
      expect(reply.ok, c.what).toBe(false);
      if (reply.ok) continue;
      expect(reply.error.code, c.what).toMatch(/^(invalid_request|unknown_method)$/);
      expect(reply.error.message, c.what).toMatch(c.says);
      expect(reply.error.message, c.what).not.toMatch(/\n\s+at /);
    }
    expect(await snapshot(unwrap, world.configDir)).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('the host refuses each over the browser-mode WebSocket, and malformed frames too; nothing changes', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${world.server.port}/ipc`, {
      headers: { Origin: world.origin, Cookie: world.cookie },
    });
    await new Promise((r) => ws.once('open', r));
    const replies = new Map<number, { ok: boolean; error?: { code: string; message: string } }>();
    const errors: { code: string; message: string }[] = [];
    ws.on('message', (d) => {
      const f = JSON.parse(String(d));
      if (f.t === 'reply') replies.set(f.id, f.reply);
      if (f.t === 'error') errors.push(f.error);
    });
    // At most MAX_IN_FLIGHT at a time, as the host allows one connection: frames that arrive in one
    // read are taken in one go, before any answer frees a place, and the rest would be answered busy.
    for (let start = 0; start < CASES.length; start += MAX_IN_FLIGHT) {
      const chunk = CASES.slice(start, start + MAX_IN_FLIGHT);
      for (const [k, c] of chunk.entries())
        ws.send(JSON.stringify({ t: 'call', id: start + k, method: c.method, params: c.params }));
      await expect.poll(() => replies.size, { timeout: 10_000 }).toBe(start + chunk.length);
    }
    // Frames that break the framing itself.
    ws.send('not json');
    ws.send(JSON.stringify({ t: 'call', method: 'app.info' }));
    ws.send(JSON.stringify({ t: 'hack' }));
    ws.send(Buffer.from([1, 2, 3]), { binary: true });
    ws.send(
      JSON.stringify({
        t: 'call',
        id: 999,
        method: 'app.info',
        params: {},
        __proto__: { x: 1 },
        extra: true,
      }),
    );
    await expect.poll(() => replies.size + errors.length, { timeout: 10_000 }).toBe(CASES.length + 5);
    CASES.forEach((c, i) => {
      const reply = replies.get(i);
      expect(reply?.ok, c.what).toBe(false);
      expect(reply?.error?.message, c.what).toMatch(c.says);
    });
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/not valid JSON/),
      expect.stringMatching(/id is missing/),
      expect.stringMatching(/t must be one of "call", "resume"/),
      expect.stringMatching(/Send text frames of JSON/),
    ]);
    expect(replies.get(999)?.error?.message).toMatch(/unknown field "extra"/);
    ws.close();
    expect(await snapshot(unwrap, world.configDir)).toEqual(before);
    // And the connection's peers still work.
    expect((await world.wsClient().client.plugins.list()).map((p) => p.name)).toEqual(['a']);
  });
});

describe('a hostile host', () => {
  const hostile = (result: unknown, batch?: unknown): Transport => ({
    call: async () => result,
    subscribe: (l) => {
      if (batch) setTimeout(() => l(batch), 0);
      return () => undefined;
    },
  });

  it('is refused when its answer breaks the result schema, naming the field', async () => {
    const bad = createClient(hostile({ ok: true, result: { name: 'Fledge Desktop', version: 1 } }));
    await expect(bad.app.info()).rejects.toMatchObject({
      code: 'invalid_result',
      message: expect.stringMatching(
        /The answer of app\.info is not valid: version must be text, not a whole number/,
      ),
    });
    const notReply = createClient(hostile('surprise'));
    await expect(notReply.app.info()).rejects.toMatchObject({ code: 'invalid_result' });
  });

  it('is refused when an event breaks its schema or is unknown; good events still arrive', async () => {
    const problems: string[] = [];
    const batch = {
      epoch: 'e',
      seq: 1,
      events: [
        { name: 'plugins.changed', payload: { names: 'everything' } },
        { name: 'evil.event', payload: {} },
        { name: 'plugins.changed', payload: { names: ['a'] } },
      ],
    };
    const client = createClient(hostile({ ok: true, result: null }, batch), {
      onProtocolError: (e) => problems.push(e.message),
    });
    const got: unknown[] = [];
    client.on('plugins.changed', (p) => got.push(p));
    await expect.poll(() => got.length).toBe(1);
    expect(got).toEqual([{ names: ['a'] }]);
    expect(problems).toEqual([
      expect.stringMatching(/The event plugins\.changed is not valid: names must be a list, not text/),
      expect.stringMatching(/unknown event "evil\.event"/),
    ]);
  });
});
