import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { uplinkTopic } from '@gridhub/core';
import { tempDir, which } from '@gridhub/testkit';
import { connectDevice, startBroker, type Harness } from './support/harness.ts';

describe('transports', () => {
  let h: Harness;
  let http: Server;
  let dir: string;
  beforeAll(async () => {
    h = await startBroker();
    http = createServer((_req, res) => res.writeHead(404).end());
    h.broker.attachWebSocket(http, '/mqtt');
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    dir = tempDir('broker-tls');
  });
  afterAll(async () => {
    await h.close();
    await new Promise<void>((r) => http.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  const roundTrip = async (url: string, opts: Record<string, unknown> = {}) => {
    const d = h.devices.bin;
    const c = await connectDevice({ url }, d, opts);
    const topic = uplinkTopic(d.kind, d.id, 'event');
    const before = h.received.length;
    await c.publishAsync(topic, `{"via":"${url.split(':')[0]}"}`, { qos: 1 });
    expect(h.received.slice(before).map((m) => m.topic)).toEqual([topic]);
    await c.endAsync();
  };

  it('MQTT over WebSocket on an existing http.Server at /mqtt', async () => {
    await roundTrip(`ws://127.0.0.1:${(http.address() as { port: number }).port}/mqtt`);
  });

  it.skipIf(!which('openssl'))('MQTT over TLS with a self-signed certificate', async () => {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const port = await h.broker.listenTls(0, '127.0.0.1', { cert: readFileSync(cert), key: readFileSync(key) });
    await roundTrip(`mqtts://127.0.0.1:${port}`, { ca: readFileSync(cert), rejectUnauthorized: true });
  });

  it('sets TCP_NODELAY on every accepted TCP socket', async () => {
    const spy = vi.spyOn(Socket.prototype, 'setNoDelay');
    try {
      const c = await connectDevice(h, h.devices.smoke);
      const local = (c.stream as unknown as Socket).localPort;
      // the server side of this connection is the socket whose remote port is our local port
      const serverSide = spy.mock.contexts.find((s) => (s as Socket).remotePort === local && (s as Socket).localPort === h.port);
      expect(serverSide).toBeDefined();
      const idx = spy.mock.contexts.indexOf(serverSide!);
      expect(spy.mock.calls[idx]![0] ?? true).toBe(true);
      await c.endAsync();
    } finally {
      spy.mockRestore();
    }
  });
});
