/**
 * `npm run demo`: the hub on the demo site plus a gentle simulation of every demo device, so the
 * dashboard is alive the moment a newcomer opens it. An entry point: reads the hub's environment
 * (see docs/configuration.md) and DEMO_SPEED (default 60).
 */
import { configFromEnv, startHub } from '@gridhub/hub';
import { DEMO_SITE_PATH } from '@gridhub/store';
import { runSite } from './run.ts';
import { loadDemoSite, loadSite } from './site.ts';

const config = configFromEnv(process.env);
const hub = await startHub({ ...config, sitePath: config.sitePath ?? DEMO_SITE_PATH });
const { devices } = config.sitePath ? loadSite(config.sitePath) : await loadDemoSite();
const speed = Number(process.env.DEMO_SPEED ?? 60);
process.stdout.write(`\n  GridHub demo: ${devices.length} simulated devices at x${speed}\n  Dashboard / API  ${hub.httpUrl}\n  MQTT             ${hub.mqttUrl}\n  Ctrl-C to stop\n\n`);

const abort = new AbortController();
process.once('SIGINT', () => abort.abort());
process.once('SIGTERM', () => abort.abort());
try {
  await runSite({ url: hub.mqttUrl, devices, speed, seed: 1, tempo: 'demo', telemetryQos: 1, progress: true, signal: abort.signal });
} finally {
  await hub.close();
}
process.exit(0);
