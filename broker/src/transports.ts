import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Duplex } from 'node:stream';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { TlsFiles } from './types.ts';

/**
 * The three ways in: TCP, TLS and WebSocket, each handing a byte stream to `handle` (aedes'
 * `handle`, wrapped by the broker). One small builder per transport, as MQTT.js does.
 * Every accepted socket gets TCP_NODELAY: with Nagle on, small PUBACKs and deliveries wait for
 * the peer's delayed ACK, a ~40 ms floor on latency.
 */
export type StreamHandler = (stream: Duplex, req?: IncomingMessage) => void;

export interface Listeners {
  servers: (NetServer | HttpServer)[];
  wss: WebSocketServer[];
  sockets: Set<Duplex>;
}

function track(l: Listeners, stream: Duplex): void {
  l.sockets.add(stream);
  stream.once('close', () => l.sockets.delete(stream));
}

function listen(server: NetServer, port: number, host: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}

export function listenTcp(l: Listeners, handle: StreamHandler, port: number, host?: string): Promise<number> {
  const server = createNetServer({ noDelay: true }, (socket: Socket) => {
    socket.setNoDelay(true);
    track(l, socket);
    handle(socket);
  });
  l.servers.push(server);
  return listen(server, port, host);
}

export function listenTls(l: Listeners, handle: StreamHandler, port: number, host: string | undefined, files: TlsFiles): Promise<number> {
  const server = createTlsServer({ cert: files.cert, key: files.key, noDelay: true }, (socket) => {
    socket.setNoDelay(true);
    track(l, socket);
    handle(socket);
  });
  l.servers.push(server);
  return listen(server, port, host);
}

/** MQTT over WebSocket (subprotocol `mqtt`) on an existing HTTP server, only at `path`. */
/**
 * MQTT over WebSocket at `path` on a shared HTTP server. `noServer`: this handles only upgrades
 * for its own path and leaves every other one (Socket.IO's, say) to the server's other listeners;
 * `new WebSocketServer({ server, path })` would answer 400 to all of them.
 */
export function attachWebSocket(l: Listeners, handle: StreamHandler, server: HttpServer, path: string, allow?: (req: IncomingMessage) => boolean): void {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  l.wss.push(wss);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(req.url ?? '/', 'http://x').pathname !== path) return;
    if (allow && !allow(req)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  wss.on('connection', (ws, req) => {
    req.socket.setNoDelay(true);
    const stream = createWebSocketStream(ws);
    stream.on('error', () => stream.destroy());
    track(l, stream);
    handle(stream, req);
  });
}

/** A bare HTTP server carrying only MQTT over WebSocket, for the standalone broker. */
export function listenWebSocket(l: Listeners, handle: StreamHandler, port: number, host: string | undefined, path: string): Promise<number> {
  const server = createHttpServer((_req, res) => {
    res.writeHead(426).end();
  });
  l.servers.push(server);
  attachWebSocket(l, handle, server, path);
  return listen(server, port, host);
}

export async function closeListeners(l: Listeners): Promise<void> {
  for (const wss of l.wss) wss.close();
  for (const s of l.sockets) s.destroy();
  await Promise.all(l.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
}
