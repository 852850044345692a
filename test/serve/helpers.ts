// What the browser-mode tests share: an AppService behind the real loopback server, the session
// cookie got the way a browser gets it (token URL -> Set-Cookie), and contract clients over a real
// WebSocket (the bridge's transport with the `ws` client).
import { request } from 'node:http';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import type { AppServiceOptions } from '../../electron/engine/app/index.js';
import { type RunningServer, startServer } from '../../electron/serve/server.js';
import { type SocketLike, type WsTransport, webSocketTransport } from '../../renderer/bridge/ws-transport.js';
import { createClient, type FledgeApi } from '../../shared/ipc/index.js';
import { type AppWorld, appWorld } from '../app/helpers.js';
import { repoRoot } from '../support/cli.js';

export interface ServedWorld extends AppWorld {
  server: RunningServer;
  origin: string;
  cookie: string;
  wsClient(): { client: FledgeApi; transport: WsTransport };
}

const transports: WsTransport[] = [];
const servers: RunningServer[] = [];

export async function servedWorld(
  options: Partial<AppServiceOptions> = {},
  world?: AppWorld,
  port = 0,
): Promise<ServedWorld> {
  const w = world ?? (await appWorld({ mode: 'browser', ...options }));
  const server = await startServer({
    service: w.service,
    port,
    rendererDir: join(repoRoot, 'dist', 'renderer'),
    bridgeFile: join(repoRoot, 'dist', 'fledge-bridge.js'),
  });
  servers.push(server);
  const origin = `http://127.0.0.1:${server.port}`;
  const first = await get(server.url);
  const cookie = String(first.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
  return {
    ...w,
    server,
    origin,
    cookie,
    wsClient() {
      const transport = webSocketTransport({
        url: `ws://127.0.0.1:${server.port}/ipc`,
        connect: (u) =>
          new WebSocket(u, { headers: { Origin: origin, Cookie: cookie } }) as unknown as SocketLike,
        maxBackoffMs: 200,
      });
      transports.push(transport);
      return { client: createClient(transport), transport };
    },
  };
}

export async function closeServers(): Promise<void> {
  for (const t of transports.splice(0)) t.close();
  for (const s of servers.splice(0)) await s.close();
}

export interface Answer {
  status: number;
  headers: import('node:http').IncomingHttpHeaders;
  body: string;
}

/** A plain HTTP GET with exactly these headers (Host included when given). */
export function get(url: string, headers: Record<string, string> = {}, host = '127.0.0.1'): Promise<Answer> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host,
        port: u.port,
        path: `${u.pathname}${u.search}`,
        method: 'GET',
        headers,
        setHost: !('Host' in headers),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Tries a WebSocket with these headers: resolves "open" or the HTTP status of the refusal. */
export function tryWebSocket(
  port: number,
  headers: Record<string, string>,
  path = '/ipc',
): Promise<'open' | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('error', () => resolve(-1));
  });
}
