/**
 * npm run bench:ingest — the spine under load, printed as figures (not a test).
 *   1. The hub (its own process) with a real influxd (Debian's 1.6.7) and a generated site.
 *   2. For each offered rate: QoS 1 telemetry from many device connections (the simulators'
 *      runLoad, each device its own MQTT connection); readings/s CONFIRMED in InfluxDB (counted by
 *      InfluxQL), spooled->stored latency p50/p99 from the hub's histogram over every reading, an
 *      end-to-end publish->visible-in-InfluxDB probe, hub and influxd CPU and RSS.
 *   3. The same generator against Mosquitto (max_queued_messages 0) publish->subscribe, QoS 1, as
 *      the reference; the ratio hub/Mosquitto.
 *   4. Device connections held (19,900 by default) by a fresh hub, and its RSS.
 * The hub runs as `npm start` runs it (built, with its node flags).
 * Options: --rates 5000,20000,40000 --seconds 10 --devices 200 --connections 19900 --max-rate 60000
 * (`--rates ''`: connections only)
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { cachedGeneratedSite, runLoad } from '@gridhub/simulators';
import { freePort, startInfluxd, startMosquitto, stopInfluxdAndClean, tempDir, waitFor } from '@gridhub/testkit';
import { cpuPct, histogramDelta, histogramQuantile, metricValue, parseHistogram, procSample, quantile, startProductionHub } from './proc.ts';
import { telemetryFor } from '../test/publishers.ts';

const { values: args } = parseArgs({
  options: {
    rates: { type: 'string', default: '5000,20000,40000' },
    'max-rate': { type: 'string', default: '60000' },
    seconds: { type: 'string', default: '10' },
    devices: { type: 'string', default: '200' },
    connections: { type: 'string', default: '19900' },
  },
});
const rates = args.rates ? args.rates.split(',').map(Number) : [];
const maxRate = Number(args['max-rate']);
const seconds = Number(args.seconds);
const nDevices = Number(args.devices);
const nConnections = Number(args.connections);
const root = join(import.meta.dirname, '..', '..');
const log = (...a: unknown[]) => console.error('[bench]', ...a);

const influx = await startInfluxd('gridhub');
log(`site: generating/caching ${Math.max(nDevices, nConnections)} devices (first run hashes every secret)`);
const site = await cachedGeneratedSite(join(root, '.data', 'bench'), { estates: 20, devices: Math.max(nDevices, nConnections, nDevices + 1), seed: 7 });
const devices = site.devices.slice(0, nDevices);
const probeDevice = site.devices[nDevices]!;
/** A hub process launched as `npm start` launches it, on a fresh data dir, with InfluxDB. */
async function startBenchHub() {
  const dir = tempDir('bench-ingest');
  const [httpPort, mqttPort] = [await freePort(), await freePort()];
  const { child: proc } = await startProductionHub(
    root,
    {
      HUB_DATA_DIR: dir,
      HUB_SITE: site.path,
      HUB_HTTP_HOST: '127.0.0.1',
      HUB_HTTP_PORT: String(httpPort),
      HUB_MQTT_HOST: '127.0.0.1',
      HUB_MQTT_PORT: String(mqttPort),
      INFLUX_URL: influx.url,
      INFLUX_API: 'v1',
      INFLUX_BUCKET: influx.db,
      HUB_DEVICE_RATE: '100000',
      HUB_DEVICE_BURST: '100000',
    },
    { httpPort, timeoutMs: 300_000 },
  );
  const url = `http://127.0.0.1:${httpPort}`;
  const metrics = async () => (await fetch(`${url}/metrics`)).text();
  return {
    pid: proc.pid!,
    url,
    mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
    metrics,
    /** Where the hub's memory is: the JS heap, or native memory (socket buffers, Buffers). */
    async memoryBreakdown() {
      const text = await metrics();
      const mib = (name: string) => Math.round(metricValue(text, name) / 2 ** 20);
      return { 'heap used MiB': mib('hub_process_nodejs_heap_size_used_bytes'), 'heap total MiB': mib('hub_process_nodejs_heap_size_total_bytes'), 'external MiB': mib('hub_process_nodejs_external_memory_bytes') };
    },
    /** Heap compactions the hub ran once idle (hub/src/memory.ts), and the last one's pause. */
    async idleCompactions() {
      const text = await metrics();
      return { 'idle compactions': metricValue(text, 'hub_process_idle_compactions_total'), 'last compaction pause ms': Math.round(metricValue(text, 'hub_process_idle_compaction_pause_ms')) };
    },
    async devicesConnected() {
      return ((await (await fetch(`${url}/api/health`)).json()) as { parts: { broker: { devicesConnected: number } } }).parts.broker.devicesConnected;
    },
    async stop() {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const influxPid = Number((await import('node:child_process')).execSync(`pgrep -f "influxd -config ${influx.dir}"`).toString().trim().split('\n')[0]);
let hub: Awaited<ReturnType<typeof startBenchHub>> | null = null;
try {
  const stored = () => influx.count('SELECT count("seq") FROM "telemetry"');

  /** End-to-end probe: one QoS 1 reading every 200 ms; when does it show up in InfluxDB? */
  async function probe(stopAt: () => boolean): Promise<number[]> {
    const c = await mqtt.connectAsync(hub!.mqttUrl, { clientId: probeDevice.id, username: probeDevice.id, password: probeDevice.secret ?? undefined, reconnectPeriod: 0 });
    const latencies: number[] = [];
    let seq = 0;
    while (!stopAt()) {
      const ts = Date.now();
      seq++;
      await c.publishAsync(`v1/${probeDevice.kind}/${probeDevice.id}/telemetry`, JSON.stringify(telemetryFor(probeDevice.kind, ts, seq)), { qos: 1 });
      const deadline = ts + 10_000;
      while (Date.now() < deadline) {
        const n = await influx.count(`SELECT count("seq") FROM "telemetry" WHERE "device" = '${probeDevice.id}' AND "seq" = ${seq}`);
        if (n > 0) {
          latencies.push(Date.now() - ts);
          break;
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      await new Promise((r) => setTimeout(r, Math.max(0, 200 - (Date.now() - ts))));
    }
    await c.endAsync();
    return latencies;
  }

  const rows: Record<string, unknown>[] = [];
  if (rates.length > 0) hub = await startBenchHub();
  for (const rate of rates.length ? [...rates, maxRate] : []) {
    if (!hub) break;
    const before = await stored();
    const h0 = parseHistogram(await hub.metrics(), 'hub_ingest_stored_latency_seconds');
    const p0 = procSample(hub.pid);
    const i0 = procSample(influxPid);
    const t0 = Date.now();
    let sending = true;
    const probeRun = probe(() => !sending);
    const report = await runLoad({ url: hub.mqttUrl, devices, ratePerSec: rate, durationMs: seconds * 1000, qos: 1, seed: rate, maxInFlight: 50_000 });
    sending = false;
    const probes = (await probeRun).sort((a, b) => a - b);
    await waitFor(async () => (await stored()) - before >= report.acked + probes.length, 120_000, 'all acknowledged readings confirmed in InfluxDB');
    const confirmedMs = Date.now() - t0 - report.connectMs;
    const p1 = procSample(hub.pid);
    const i1 = procSample(influxPid);
    const h = histogramDelta(parseHistogram(await hub.metrics(), 'hub_ingest_stored_latency_seconds'), h0);
    const elapsed = Date.now() - t0;
    rows.push({
      offered: rate,
      acked: report.acked,
      'confirmed/s': Math.round((report.acked * 1000) / confirmedMs),
      'spooled→stored p50 ms': Math.round(histogramQuantile(h, 0.5)),
      'spooled→stored p99 ms': Math.round(histogramQuantile(h, 0.99)),
      'publish→in InfluxDB p50 ms (probe)': quantile(probes, 0.5),
      'publish→in InfluxDB p99 ms (probe)': quantile(probes, 0.99),
      'hub CPU %': cpuPct(p0, p1, elapsed),
      'hub RSS MiB': Math.round(p1.rssMb),
      'influxd CPU %': cpuPct(i0, i1, elapsed),
      heldBack: report.heldBack,
    });
    log(rows.at(-1));
  }

  await hub?.stop();
  hub = null;
  const mosquittoRate = rates.length > 0 ? await mosquittoReference() : NaN;

  // Connections held: a fresh hub, so its RSS is what idle connections cost (not a heap
  // high-water mark, nor the garbage, left by the load phases).
  let connections: Record<string, unknown> = { skipped: true };
  if (nConnections > 0) {
    const h = (hub = await startBenchHub());
    const c0 = Date.now();
    const held = await runLoad({ url: h.mqttUrl, devices: site.devices.slice(0, nConnections), ratePerSec: 100, durationMs: 5000, qos: 1, close: false, connectConcurrency: 500, drainTimeoutMs: 10_000 });
    connections = {
      devices: nConnections,
      'connected (hub)': await h.devicesConnected(),
      'connect time s': Math.round(held.connectMs / 100) / 10,
      'hub RSS MiB': Math.round(procSample(h.pid).rssMb),
      ...(await h.memoryBreakdown()),
      errors: held.errors,
    };
    // Held: the same connections 30 s later, idle (keep-alives only); by then the hub has
    // compacted away the login storm's garbage (hub/src/memory.ts), shown by its counter.
    await new Promise((r) => setTimeout(r, 30_000));
    connections = {
      ...connections,
      'connected after 30 s idle': await h.devicesConnected(),
      'idle hub RSS MiB': Math.round(procSample(h.pid).rssMb),
      'idle heap used MiB': (await h.memoryBreakdown())['heap used MiB'],
      ...(await h.idleCompactions()),
      'total s': Math.round((Date.now() - c0) / 1000),
    };
    await held.fleet.close({ announce: false });
  }

  if (rows.length > 0) {
    const hubMax = rows.at(-1)!['confirmed/s'] as number;
    console.log('\n## bench:ingest — hub with InfluxDB (QoS 1, every reading validated, spooled and confirmed)\n');
    console.table(rows);
    console.log(`\nMosquitto reference (QoS 1 publish->subscribe, max_queued_messages 0, offered ${maxRate}/s): ${mosquittoRate} msg/s`);
    console.log(`Hub confirmed-in-InfluxDB at offered ${maxRate}/s: ${hubMax} readings/s = ${(hubMax / mosquittoRate).toFixed(2)} x Mosquitto`);
  }
  console.log('\nConnections held (a fresh hub, after the load phases):');
  console.table([connections]);
} finally {
  await hub?.stop();
  await stopInfluxdAndClean(influx);
}

/** The reference: Mosquitto publish -> subscribe, QoS 1, the same generator, devices and rate. */
async function mosquittoReference(): Promise<number> {
  const mosq = await startMosquitto();
  try {
    const sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${mosq.port}`, { clientId: 'bench-sub', reconnectPeriod: 0 });
    await sub.subscribeAsync('v1/#', { qos: 1 });
    let received = 0;
    sub.on('message', () => received++);
    const t0 = Date.now();
    const report = await runLoad({ url: `mqtt://127.0.0.1:${mosq.port}`, devices, ratePerSec: maxRate, durationMs: seconds * 1000, qos: 1, seed: 1, maxInFlight: 50_000 });
    await waitFor(() => received >= report.acked, 60_000, 'mosquitto subscriber got everything').catch(() => undefined);
    const rate = Math.round((received * 1000) / (Date.now() - t0 - report.connectMs));
    await sub.endAsync();
    return rate;
  } finally {
    await mosq.stop();
  }
}
