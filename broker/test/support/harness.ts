import { connect as netConnect, createServer } from 'node:net';
import { Aedes, type AedesOptions } from 'aedes';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { hashSecret, newDeviceSecret, type DeviceKind } from '@gridhub/core';
import { createBroker, type BrokerOptions, type BrokerUser, type DeviceCredentials, type DeviceMessage, type HubBroker } from '../../src/index.ts';

/** Real broker on a free port, with a few devices and accounts, recording what reaches ingest. */
export interface TestDevice {
  id: string;
  kind: DeviceKind;
  secret: string;
}

export interface Harness {
  broker: HubBroker;
  port: number;
  url: string;
  received: DeviceMessage[];
  devices: Record<'smoke' | 'bin' | 'manhole', TestDevice>;
  users: { service: { username: string; password: string }; operator: { username: string; password: string } };
  credentialLookups: string[];
  close(): Promise<void>;
}

const fixtures = (async () => {
  const devices = {
    smoke: { id: 'smoke-001', kind: 'smoke' as const, secret: newDeviceSecret() },
    bin: { id: 'bin-001', kind: 'bin' as const, secret: newDeviceSecret() },
    manhole: { id: 'mh-001', kind: 'manhole' as const, secret: newDeviceSecret() },
  };
  const creds = new Map<string, DeviceCredentials>();
  for (const d of Object.values(devices)) creds.set(d.id, { kind: d.kind, secretHash: await hashSecret(d.secret) });
  // accounts use the device cost here to keep tests quick; the hash format is the same
  const users = { service: { username: 'svc-rules', password: 'svc-pass-1' }, operator: { username: 'op-desk', password: 'op-pass-1' } };
  const brokerUsers: BrokerUser[] = [
    { username: users.service.username, passwordHash: await hashSecret(users.service.password), role: 'service' },
    { username: users.operator.username, passwordHash: await hashSecret(users.operator.password), role: 'operator' },
  ];
  return { devices, creds, users, brokerUsers };
})();

export async function startBroker(overrides: Partial<BrokerOptions> = {}): Promise<Harness> {
  const f = await fixtures;
  const received: DeviceMessage[] = [];
  const credentialLookups: string[] = [];
  const broker = await createBroker({
    deviceCredentials: async (id) => {
      credentialLookups.push(id);
      return f.creds.get(id);
    },
    onDeviceMessage: async (msg) => {
      received.push(msg);
    },
    users: f.brokerUsers,
    ...overrides,
  });
  const port = await broker.listenTcp(0, '127.0.0.1');
  return { broker, port, url: `mqtt://127.0.0.1:${port}`, received, devices: f.devices, users: f.users, credentialLookups, close: () => broker.close() };
}

const base: IClientOptions = { reconnectPeriod: 0, connectTimeout: 5_000, protocolVersion: 4 };

export function connectDevice(h: { url: string }, d: TestDevice, opts: IClientOptions = {}): Promise<MqttClient> {
  return mqtt.connectAsync(h.url, { ...base, clientId: d.id, username: d.id, password: d.secret, ...opts });
}

export function connectAs(url: string, opts: IClientOptions = {}): Promise<MqttClient> {
  return mqtt.connectAsync(url, { ...base, ...opts });
}

/** The CONNACK return code a connect attempt got (0 = accepted; the client is then closed). */
export async function connackCode(url: string, opts: IClientOptions): Promise<number> {
  try {
    const c = await connectAs(url, opts);
    await c.endAsync(true);
    return 0;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'number') return code;
    throw err;
  }
}

/** Resolves when the client's connection closes (e.g. the broker dropped it). */
export function closed(c: MqttClient): Promise<void> {
  return new Promise((resolve) => {
    if (!c.connected) return resolve();
    c.once('close', () => resolve());
  });
}

/**
 * Raw MQTT 3.1.1 over TCP, for what mqtt.js will not send (e.g. an empty client id with
 * clean session 0): writes packets, collects what comes back, reports when the socket closes.
 */
export function rawClient(port: number) {
  const socket = netConnect(port, '127.0.0.1');
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const packets: mqttPacket.Packet[] = [];
  const waiters: (() => void)[] = [];
  let isClosed = false;
  parser.on('packet', (p) => {
    packets.push(p);
    waiters.splice(0).forEach((w) => w());
  });
  socket.on('data', (d) => parser.parse(d));
  socket.on('error', () => {});
  const closedP = new Promise<void>((resolve) =>
    socket.on('close', () => {
      isClosed = true;
      waiters.splice(0).forEach((w) => w());
      resolve();
    }),
  );
  return {
    packets,
    send(packet: Record<string, unknown>) {
      socket.write(mqttPacket.generate(packet as never));
    },
    sendRaw(bytes: Buffer) {
      socket.write(bytes);
    },
    /** Waits until a packet with `cmd` arrives; null if the socket closes first. */
    async next(cmd: string): Promise<mqttPacket.Packet | null> {
      for (;;) {
        const p = packets.find((x) => x.cmd === cmd);
        if (p) return p;
        if (isClosed) return null;
        await new Promise<void>((r) => waiters.push(r));
      }
    },
    closed: closedP,
    get isClosed() {
      return isClosed;
    },
    destroy: () => socket.destroy(),
  };
}

export function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Bare aedes 1.2 (no hub policies) on a free port, for tests that prove a premise about aedes. */
export async function startBareAedes(opts: AedesOptions = {}): Promise<{ port: number; close(): Promise<void> }> {
  const bare = await Aedes.createBroker(opts);
  const server = createServer(bare.handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    async close() {
      await new Promise<void>((r) => bare.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
