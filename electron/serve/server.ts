/**
 * Browser mode's server: the built renderer and the contract's WebSocket on 127.0.0.1 only. The
 * printed address carries a random token; the first load swaps it for an HttpOnly SameSite=Strict
 * cookie and redirects to the bare address (the token leaves the address bar). Every request
 * without the token or cookie, from a foreign Origin or with a non-loopback Host is refused.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { WS_PATH } from '../../shared/ipc/index.js';
import type { AppService } from '../engine/app/index.js';
import { checkRequest, newToken, securityHeaders, sessionCookie } from './security.js';
import { StaticFiles } from './static-files.js';
import { MAX_FRAME_BYTES, serveConnection } from './ws-transport.js';

export interface ServeOptions {
  service: AppService;
  rendererDir: string;
  bridgeFile: string;
  /** 0: a free port. */
  port?: number;
  token?: string;
  /** Bytes queued to one client before it is disconnected as too slow (it resumes on reconnect). */
  maxBufferedBytes?: number;
}

export interface RunningServer {
  /** The address to open (with the token). */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

export const HOST = '127.0.0.1';

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const token = options.token ?? newToken();
  const files = new StaticFiles(options.rendererDir, options.bridgeFile);
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  let port = 0;

  const deny = (res: ServerResponse, status: number, reason: string) => {
    res.writeHead(status, { ...securityHeaders(port), 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`${reason}\n`);
  };

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', `http://${HOST}:${port}`);
    const verdict = checkRequest(req.headers, port, token, url.searchParams.get('token'));
    if (!verdict.ok) return deny(res, verdict.status, verdict.reason);
    if (req.method !== 'GET' && req.method !== 'HEAD') return deny(res, 405, 'Only GET is served here.');
    if (verdict.viaQuery) {
      // The token becomes a cookie, and the address bar loses it.
      url.searchParams.delete('token');
      res.writeHead(303, {
        ...securityHeaders(port),
        'Set-Cookie': sessionCookie(port, token),
        Location: `${url.pathname}${url.search}`,
      });
      return res.end();
    }
    try {
      const file = await files.get(url.pathname);
      // Content-named build files are kept by the browser, the bridge is kept and asked after each
      // time (an ETag of its content), so V8 keeps their compiled code and a reload compiles no
      // script again. Everything else, index.html included, is not stored.
      const caching = file.immutable
        ? { 'Cache-Control': 'private, max-age=31536000, immutable' }
        : file.etag
          ? { 'Cache-Control': 'private, no-cache', ETag: file.etag }
          : {};
      const unchanged = file.etag !== undefined && req.headers['if-none-match'] === file.etag;
      res.writeHead(unchanged ? 304 : file.status, {
        ...securityHeaders(port),
        'Content-Type': file.type,
        ...caching,
      });
      res.end(req.method === 'HEAD' || unchanged ? undefined : file.body);
    } catch {
      deny(res, 500, 'This file could not be read.');
    }
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', `http://${HOST}:${port}`);
    const verdict =
      url.pathname === WS_PATH
        ? checkRequest(req.headers, port, token, null, { requireOrigin: true })
        : ({ ok: false, status: 404, reason: 'Not found.' } as const);
    if (!verdict.ok) {
      socket.end(
        `HTTP/1.1 ${verdict.status} ${verdict.status === 401 ? 'Unauthorized' : verdict.status === 404 ? 'Not Found' : 'Forbidden'}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${verdict.reason}\n`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) =>
      serveConnection(ws, options.service.dispatch, options.service.hub, options.maxBufferedBytes),
    );
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: HOST, port: options.port ?? 0, exclusive: true }, () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://${HOST}:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
