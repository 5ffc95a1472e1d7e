// Standalone broker: `npm run broker`. The only file of this package that reads process.env.
//   HUB_MQTT_PORT (1883), HUB_MQTT_HOST (0.0.0.0), HUB_MQTT_ALLOW_ANONYMOUS (0|1|true|false),
//   HUB_MQTT_WS_PORT (WebSocket at /mqtt; off when unset), HUB_MQTT_TLS_PORT (8883, only with
//   HUB_TLS_CERT and HUB_TLS_KEY file paths), HUB_MQTT_USERS (YAML/JSON list of accounts).
// Without a store there are no device credentials: every device login is refused (0x04), so
// nothing reaches `onDeviceMessage`. It serves service, operator and anonymous clients
// (and conformance suites); the hub runs the same broker with its store and ingest.
import { readFileSync } from 'node:fs';
import { HubError, parseFlag } from '@gridhub/core';
import { createBroker } from './broker.ts';
import { loadUsersFile } from './users.ts';

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new HubError('HUB_ERR_CONFIG', [`${name} must be a port number`]);
  return n;
}

function boolEnv(name: string): boolean {
  const v = parseFlag(process.env[name]);
  if (v === null) throw new HubError('HUB_ERR_CONFIG', [`${name} must be true or false`]);
  return v ?? false;
}

const config = Object.freeze({
  port: intEnv('HUB_MQTT_PORT', 1883),
  host: process.env.HUB_MQTT_HOST || '0.0.0.0',
  allowAnonymous: boolEnv('HUB_MQTT_ALLOW_ANONYMOUS'),
  wsPort: process.env.HUB_MQTT_WS_PORT ? intEnv('HUB_MQTT_WS_PORT', 0) : null,
  tlsPort: intEnv('HUB_MQTT_TLS_PORT', 8883),
  tlsCert: process.env.HUB_TLS_CERT || null,
  tlsKey: process.env.HUB_TLS_KEY || null,
  usersPath: process.env.HUB_MQTT_USERS || null,
});

const log = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) =>
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`);

const broker = await createBroker({
  deviceCredentials: async () => undefined,
  onDeviceMessage: async () => {},
  users: config.usersPath ? await loadUsersFile(config.usersPath) : [],
  allowAnonymous: config.allowAnonymous,
  log: (level, msg, fields) => {
    if (level !== 'info') log(level, msg, fields);
  },
});

const tcp = await broker.listenTcp(config.port, config.host);
log('info', 'mqtt listening', { port: tcp, host: config.host, allowAnonymous: config.allowAnonymous });
if (config.tlsCert && config.tlsKey) {
  const tls = await broker.listenTls(config.tlsPort, config.host, { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) });
  log('info', 'mqtts listening', { port: tls });
}
if (config.wsPort !== null) {
  const ws = await broker.listenWebSocket(config.wsPort, config.host, '/mqtt');
  log('info', 'mqtt over websocket listening', { port: ws, path: '/mqtt' });
}

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    broker.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
