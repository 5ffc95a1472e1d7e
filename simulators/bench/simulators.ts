/**
 * `npm run bench:simulators -- [--devices 10000] [--estates 20] [--rate 2000] [--duration 60] [--qos 1]
 *   [--url mqtt://...] [--broker hub|mosquitto] [--data-dir .data]`
 * Drives N devices (each its own MQTT connection) from this one process and prints connect time,
 * msg/s and memory. By default it starts the hub in a child process on the generated site (so
 * logins are real scrypt checks); `--broker mosquitto` measures the simulators alone; `--url`
 * uses a broker already running (whose site must be the generated one).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { freePort, startMosquitto, tempDir, waitForPort } from '@gridhub/testkit';
import { cachedGeneratedSite, runLoad } from '../src/index.ts';

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '10000' },
    estates: { type: 'string', default: '20' },
    rate: { type: 'string', default: '2000' },
    duration: { type: 'string', default: '60' },
    qos: { type: 'string', default: '1' },
    seed: { type: 'string', default: '1' },
    url: { type: 'string' },
    broker: { type: 'string', default: 'hub' },
    'data-dir': { type: 'string', default: '.data' },
    concurrency: { type: 'string', default: '200' },
  },
});
const n = (k: keyof typeof values) => Number(values[k]);
const qos = n('qos') === 0 ? 0 : 1;

const t0 = Date.now();
const site = await cachedGeneratedSite(values['data-dir']!, { devices: n('devices'), estates: n('estates'), seed: n('seed') });
process.stderr.write(`site: ${site.path} (${site.cached ? 'cached' : 'generated and hashed'} in ${Date.now() - t0} ms)\n`);

let url = values.url;
let stop: () => Promise<void> = async () => undefined;
if (!url && values.broker === 'mosquitto') {
  const m = await startMosquitto('max_connections -1\n');
  url = `mqtt://127.0.0.1:${m.port}`;
  stop = () => m.stop();
} else if (!url) {
  const dir = tempDir('bench-sim-hub');
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'hub/src/main.ts'], {
    env: { ...process.env, HUB_DATA_DIR: dir, HUB_SITE: site.path, HUB_HTTP_PORT: '0', HUB_MQTT_PORT: String(port), HUB_MQTT_HOST: '127.0.0.1', HUB_HTTP_HOST: '127.0.0.1', HUB_LOG_LEVEL: 'warn', HUB_SPOOL_BUDGET_MB: '1024', HUB_EMBEDDED_RETENTION_DAYS: '30' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const tHub = Date.now();
  const died = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the hub exited with code ${code}`))));
  await Promise.race([
    died,
    waitForPort(port, '127.0.0.1', 300_000, 'the hub to listen'),
  ]);
  died.catch(() => undefined);
  process.stderr.write(`hub up (site imported) in ${Date.now() - tHub} ms\n`);
  url = `mqtt://127.0.0.1:${port}`;
  stop = async () => {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  };
}

try {
  const r = await runLoad({
    url,
    devices: site.devices,
    ratePerSec: n('rate'),
    durationMs: n('duration') * 1000,
    qos,
    seed: n('seed'),
    connectConcurrency: n('concurrency'),
    connectTimeoutMs: 600_000,
    progress: true,
  });
  const missing = [...r.ackedSeqs.values()].reduce((a, s) => a + s.length, 0) - r.acked;
  process.stdout.write(
    [
      '',
      `simulators bench (${values.url ? 'external broker' : values.broker}, QoS ${qos})`,
      `  devices          ${r.devices} over ${n('estates')} estates, one MQTT connection each`,
      `  connect time     ${(r.connectMs / 1000).toFixed(1)} s (${Math.round((r.devices * 1000) / r.connectMs)} connections/s)`,
      `  messages         ${r.sent} sent, ${r.acked} acknowledged, ${r.failed} failed, ${r.heldBack} held back (in-flight cap)`,
      `  throughput       ${r.ackedPerSec} msg/s acknowledged (asked ${n('rate')} msg/s for ${n('duration')} s)`,
      `  errors           ${r.errors} transport errors, ${r.reconnects} reconnects${missing !== 0 ? `, ${missing} ack records mismatch` : ''}`,
      `  memory           rss ${r.rssMb} MB, heap ${r.heapMb} MB (${Math.round((r.rssMb * 1024) / r.devices)} KB per device)`,
      '',
    ].join('\n'),
  );
} finally {
  await stop();
}
process.exit(0);
