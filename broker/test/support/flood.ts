import { connect, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';

/**
 * Offered-load generator for overload tests: raw TCP MQTT 3.1.1 publishers that write PUBLISH
 * packets as fast as the socket drains (no in-flight window), so the broker, not the client,
 * decides what happens under load. Bounded by `durationMs`.
 */
export interface FloodPublisher {
  clientId: string;
  username?: string;
  password?: string;
  topic: string;
}

export interface FloodOptions {
  port: number;
  host?: string;
  publishers: FloodPublisher[];
  durationMs: number;
  qos: 0 | 1;
  payload: Buffer;
  /** PUBLISH packets per socket write. */
  batch?: number;
}

export interface FloodResult {
  sent: number;
  pubacks: number;
  connacksRefused: number;
  closedEarly: number;
}

const generate = (packet: Record<string, unknown>): Buffer => mqttPacket.generate(packet as never);

function runOne(p: FloodPublisher, opts: FloodOptions, deadline: number, result: FloodResult): Promise<void> {
  return new Promise((resolve) => {
    const socket: Socket = connect(opts.port, opts.host ?? '127.0.0.1');
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    const batch = opts.batch ?? 50;
    let messageId = 0;
    let done = false;
    const finish = (early: boolean) => {
      if (done) return;
      done = true;
      if (early) result.closedEarly++;
      socket.destroy();
      resolve();
    };
    const chunk = (): Buffer => {
      const parts: Buffer[] = [];
      for (let i = 0; i < batch; i++) {
        messageId = (messageId % 65535) + 1;
        parts.push(generate({ cmd: 'publish', topic: p.topic, payload: opts.payload, qos: opts.qos, messageId, retain: false, dup: false }));
      }
      return Buffer.concat(parts);
    };
    const pump = () => {
      while (!done) {
        if (Date.now() >= deadline) return finish(false);
        result.sent += batch;
        if (!socket.write(chunk())) {
          socket.once('drain', pump);
          return;
        }
      }
    };
    parser.on('packet', (packet) => {
      if (packet.cmd === 'connack') {
        if (packet.returnCode !== 0) {
          result.connacksRefused++;
          return finish(true);
        }
        pump();
      } else if (packet.cmd === 'puback') result.pubacks++;
    });
    const timer = setTimeout(() => finish(false), Math.max(0, deadline - Date.now()));
    socket.once('close', () => clearTimeout(timer));
    socket.setNoDelay(true);
    socket.on('data', (d) => parser.parse(d));
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(Date.now() < deadline));
    socket.write(generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 60, clientId: p.clientId, username: p.username, password: p.password === undefined ? undefined : Buffer.from(p.password) }));
  });
}

export async function flood(opts: FloodOptions): Promise<FloodResult> {
  const result: FloodResult = { sent: 0, pubacks: 0, connacksRefused: 0, closedEarly: 0 };
  const deadline = Date.now() + opts.durationMs;
  await Promise.all(opts.publishers.map((p) => runOne(p, opts, deadline, result)));
  return result;
}
