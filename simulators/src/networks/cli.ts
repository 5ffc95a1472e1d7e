/**
 * `npm run simulate:networks -- ...`: the site's devices that sit behind a network server or a
 * carrier platform (a `model` with samples and a `dev_eui` / `imei`), sending what ChirpStack, The
 * Things Stack or CTWing would send the hub for them: frames from the codecs' encoders, wrapped in
 * each network's JSON (./messages.ts). An entry point: reads argv.
 */
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { createCodecRegistry } from '@gridhub/codecs';
import { chirpstackUplink, ctwingDataReport, ttsUplink } from './messages.ts';
import { isAlarm, networkSimDevices } from './traffic.ts';
import { loadSite } from '../site.ts';

const HELP = `Network-server and platform traffic for a site's real-device entries

Usage: npm run simulate:networks -- --site <file> [options]

  --chirpstack <mqtt-url>   publish ChirpStack v4 integration events there (the hub's broker with a
                            service account, mqtt://chirpstack:pw@localhost:1883, or ChirpStack's
                            own broker the hub bridges), QoS 1
  --application <id>        ChirpStack application id (default: each device's network_app)
  --tts <mqtt-url>          publish The Things Stack v3 uplinks there (QoS 0, as TTS does)
  --tts-app <app@tenant>    (default: each device's network_app)
  --ctwing <url>            POST CTWing dataReports there (http://localhost:8080/api/ingest/ctwing/<token>)
  --rate <n>                uplinks per second in all (default 5)
  --alarm-every <n>         every n-th uplink carries the model's alarm (default 20; 0: never)
  --duration <s>            stop after s seconds (default: until Ctrl-C)
`;

const { values } = parseArgs({
  options: {
    site: { type: 'string' }, chirpstack: { type: 'string' }, application: { type: 'string' }, tts: { type: 'string' }, 'tts-app': { type: 'string' },
    ctwing: { type: 'string' }, rate: { type: 'string', default: '5' }, 'alarm-every': { type: 'string', default: '20' }, duration: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});
if (values.help || !values.site || (!values.chirpstack && !values.tts && !values.ctwing)) {
  process.stdout.write(HELP);
  process.exit(values.help ? 0 : 2);
}

const devices = networkSimDevices(loadSite(values.site).site);
const lorawan = devices.filter((d) => d.devEui);
const nbiot = devices.filter((d) => d.imei || d.platformDeviceId);
const codecs = await createCodecRegistry();
const cs = values.chirpstack ? await mqtt.connectAsync(values.chirpstack, { clientId: `sim-chirpstack-${process.pid}`, clean: true }) : null;
const tts = values.tts ? await mqtt.connectAsync(values.tts, { clientId: `sim-tts-${process.pid}` }) : null;
// a publish the hub refuses (an application this account is not bound to) closes the connection
cs?.on('close', () => process.stderr.write('[sim] ChirpStack connection closed (a refused publish? see the hub log); reconnecting\n'));
const rate = Number(values.rate);
const alarmEvery = Number(values['alarm-every']);
const stopAt = values.duration ? Date.now() + Number(values.duration) * 1000 : Infinity;
process.stderr.write(`[sim] ${lorawan.length} LoRaWAN and ${nbiot.length} NB-IoT devices; ${rate} uplinks/s\n`);

let n = 0;
const counters = new Map<string, number>();
const stats = { sent: 0, failed: 0 };
const tick = async () => {
  const lanes = [cs && lorawan.length ? 'cs' : null, tts && lorawan.length ? 'tts' : null, values.ctwing && nbiot.length ? 'ctwing' : null].filter((x): x is string => x !== null);
  const lane = lanes[n % lanes.length]!;
  const pool = lane === 'ctwing' ? nbiot : lorawan;
  const d = pool[Math.floor(n / lanes.length) % pool.length]!;
  const fCnt = (counters.get(`${lane}:${d.id}`) ?? 0) + 1;
  counters.set(`${lane}:${d.id}`, fCnt);
  const frame = codecs.encode(d.model, isAlarm(n, alarmEvery) ? d.alarm : d.normal);
  n++;
  try {
    if (lane === 'cs') {
      const m = chirpstackUplink(values.application ?? d.networkApp ?? 'sim-app', { devEui: d.devEui!, fCnt, fPort: frame.fPort, bytes: frame.bytes, timeMs: Date.now(), deviceName: d.id });
      await cs!.publishAsync(m.topic, m.payload, { qos: 1 });
    } else if (lane === 'tts') {
      const [app, tenant] = (values['tts-app'] ?? d.networkApp ?? 'sim@ttn').split('@') as [string, string];
      const m = ttsUplink(app, tenant ?? 'ttn', d.id, { devEui: d.devEui!, fCnt, fPort: frame.fPort, bytes: frame.bytes, timeMs: Date.now() });
      await tts!.publishAsync(m.topic, m.payload, { qos: 0 });
    } else {
      const body = ctwingDataReport({ deviceId: d.platformDeviceId ?? d.id, imei: d.imei ?? '000000000000000', productId: d.networkApp ?? 'sim-product' }, frame.bytes, fCnt, Date.now());
      const res = await fetch(values.ctwing!, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
    }
    stats.sent++;
  } catch (err) {
    stats.failed++;
    process.stderr.write(`[sim] ${lane} ${d.id}: ${err instanceof Error ? err.message : String(err)}\n`);
  }
};
let stopping = false;
const timer = setInterval(() => {
  if (stopping) return;
  if (Date.now() >= stopAt) {
    stopping = true;
    return void shutdown();
  }
  void tick();
}, 1000 / rate);
const report = setInterval(() => process.stderr.write(`[sim] sent ${stats.sent}, failed ${stats.failed}\n`), 10_000);
async function shutdown() {
  clearInterval(timer);
  clearInterval(report);
  await Promise.all([cs?.endAsync(true), tts?.endAsync(true)]);
  await codecs.close();
  process.stderr.write(`[sim] done: sent ${stats.sent}, failed ${stats.failed}\n`);
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
