/**
 * `npm start`: the whole hub on embedded defaults (SQLite store, embedded telemetry, demo site)
 * unless the environment says otherwise (see docs/configuration.md). The only file of the hub
 * that reads process.env.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isHubError } from '@gridhub/core';
import { configFromEnv } from './config.ts';
import { startHub } from './hub.ts';
import { startIdleCompaction } from './memory.ts';
import { startDemoSimulation } from './demo-simulation.ts';

try {
  const hub = await startHub(configFromEnv(process.env));
  const lines = [
    '',
    '  GridHub is running  智慧社区物联网监控平台已启动',
    `  Dashboard / API   ${hub.httpUrl}`,
    `  API docs          ${hub.httpUrl}/docs`,
    `  Health            ${hub.httpUrl}/api/health`,
    `  Metrics           ${hub.httpUrl}/metrics`,
    `  MQTT              ${hub.mqttUrl}`,
    `  MQTT/WebSocket    ${hub.wsUrl}`,
    hub.mqttTlsPort ? `  MQTT/TLS          mqtts://localhost:${hub.mqttTlsPort}` : '',
    `  Telemetry         ${hub.sink.name === 'influxdb' ? hub.config.influx?.url : 'embedded (set INFLUX_URL for InfluxDB)'}`,
    `  Store             ${hub.store.dialect}${hub.store.dialect === 'sqlite' ? ` in ${hub.config.dataDir}` : ''}`,
    hub.demoSite ? '  Demo site loaded: try the mosquitto_pub line in README.md' : '',
    hub.demoSite && hub.config.demoSimulation ? '  Demo simulation   every demo device, gently (HUB_DEMO_SIMULATION=0 turns it off)' : '',
    hub.demoSite ? '  Demo logins       operator / demo-operator; every demo user: demo-<username> (docs/tickets.md)' : '',
    existsSync(join(hub.config.dataDir, 'admin-password.txt')) ? `  Admin password    in ${join(hub.config.dataDir, 'admin-password.txt')} (delete it once read)` : '',
    '',
  ].filter((l) => l !== '');
  process.stdout.write(`${lines.join('\n')}\n\n`);
  const mib = (bytes: number) => Math.round(bytes / 2 ** 20);
  const stopCompaction = hub.config.idleCompaction
    ? startIdleCompaction({
        onCompaction: (c) => hub.log.info({ heapBeforeMiB: mib(c.heapBeforeBytes), heapAfterMiB: mib(c.heapAfterBytes), liveMiB: mib(c.usedAfterBytes), pauseMs: Math.round(c.pauseMs) }, 'idle: heap compacted'),
      })
    : () => {};
  const stopSimulation = hub.demoSite && hub.config.demoSimulation ? startDemoSimulation(hub.mqttUrl, hub.log) : () => {};
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    hub.log.info({ signal }, 'stopping');
    stopCompaction();
    stopSimulation();
    hub.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
} catch (err) {
  if (isHubError(err)) {
    process.stderr.write(`gridhub: ${err.code}: ${err.message}\n`);
    if (err.details) process.stderr.write(`${JSON.stringify(err.details, null, 2)}\n`);
  } else {
    process.stderr.write(`gridhub: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  }
  process.exit(1);
}
