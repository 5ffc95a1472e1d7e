/**
 * `npm run simulate -- ...`: simulated devices of a site, or one named scenario, against a hub.
 * An entry point: the only simulators file besides demo.ts and the bench that reads argv/env.
 */
import { parseArgs } from 'node:util';
import { cachedGeneratedSite } from './generate.ts';
import { runScenario, runSite } from './run.ts';
import { SCENARIOS } from './scenarios/index.ts';
import { loadDemoSite, loadSite, type LoadedSite } from './site.ts';

const HELP = `GridHub device simulators

Usage: npm run simulate -- [options]

  --site <file|demo>     site file (YAML); secrets from <site>.secrets.json next to it or plain
                         'secret' entries; 'demo' = the demo site of @gridhub/store (default)
  --devices <n>          instead of --site: generate a district of n devices (cached, with
  --estates <n>            its secrets, under <data-dir>/sim-sites; import it into the hub)
  --data-dir <dir>       where generated sites are cached (default .data)
  --url <mqtt-url>       the hub's broker (default mqtt://localhost:1883)
  --speed <x>            simulated time per real time (default 60: a day in 24 minutes)
  --tempo demo|field     demo: lively intervals (default); field: the real ones (a day between
                         smoke reports)
  --seed <n>             seed of every random stream (default 1): runs repeat
  --telemetry-qos 0|1    QoS of telemetry (events and status are always 1; default 1)
  --only <n>             simulate only the first n devices of the site
  --duration <s>         stop after s real seconds (default: until Ctrl-C)
  --scenario <name>      play one named scenario and exit (see --list)
  --list                 list the scenarios
  --help

Examples:
  npm run simulate -- --site demo --speed 60
  npm run simulate -- --site demo --scenario building-fire --speed 60
  npm run simulate -- --devices 2000 --estates 20 --speed 600 --tempo field
`;

const { values } = parseArgs({
  options: {
    site: { type: 'string', default: 'demo' },
    devices: { type: 'string' },
    estates: { type: 'string', default: '20' },
    'data-dir': { type: 'string', default: '.data' },
    url: { type: 'string', default: 'mqtt://localhost:1883' },
    speed: { type: 'string', default: '60' },
    tempo: { type: 'string', default: 'demo' },
    seed: { type: 'string', default: '1' },
    'telemetry-qos': { type: 'string', default: '1' },
    only: { type: 'string' },
    duration: { type: 'string' },
    scenario: { type: 'string' },
    list: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});

function num(name: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) {
    process.stderr.write(`--${name} must be a number >= ${min}, got ${raw}\n`);
    process.exit(2);
  }
  return n;
}

if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
if (values.list) {
  for (const s of Object.values(SCENARIOS)) process.stdout.write(`  ${s.name.padEnd(28)} ${s.description}\n`);
  process.exit(0);
}
if (values.tempo !== 'demo' && values.tempo !== 'field') {
  process.stderr.write(`--tempo must be demo or field\n`);
  process.exit(2);
}
const qos = num('telemetry-qos', values['telemetry-qos'], 0);
if (qos !== 0 && qos !== 1) {
  process.stderr.write(`--telemetry-qos must be 0 or 1\n`);
  process.exit(2);
}

const deviceCount = num('devices', values.devices, 1);
let loaded: LoadedSite;
if (deviceCount !== undefined) {
  const t0 = Date.now();
  const g = await cachedGeneratedSite(values['data-dir'], { devices: deviceCount, estates: num('estates', values.estates, 1)!, seed: num('seed', values.seed, 0)! });
  process.stderr.write(`site ${g.path} (${g.cached ? 'cached' : `generated and hashed in ${Date.now() - t0} ms`}): start the hub with HUB_SITE=${g.path}\n`);
  loaded = g;
} else {
  loaded = values.site === 'demo' ? await loadDemoSite() : loadSite(values.site);
}
const only = num('only', values.only, 1);
const devices = only === undefined ? loaded.devices : loaded.devices.slice(0, only);
const common = { url: values.url, devices, speed: num('speed', values.speed, 0.001)!, seed: num('seed', values.seed, 0)!, telemetryQos: qos, progress: true } as const;

const abort = new AbortController();
process.once('SIGINT', () => abort.abort());
process.once('SIGTERM', () => abort.abort());

if (values.scenario) {
  const run = await runScenario(values.scenario, { ...common, signal: abort.signal });
  for (const r of run.results.filter((x) => !x.ok)) process.stderr.write(`  failed: ${r.step.deviceId} ${r.step.action}: ${r.error}\n`);
  process.stdout.write(`${values.scenario}: ${run.published} messages acknowledged by the broker, ${run.failed} failed\n`);
  process.exit(run.failed === 0 ? 0 : 1);
} else {
  const durationS = num('duration', values.duration, 0);
  const r = await runSite({ ...common, tempo: values.tempo, signal: abort.signal, ...(durationS !== undefined ? { durationMs: durationS * 1000 } : {}) });
  const s = r.fleet.stats;
  process.stdout.write(`done: ${devices.length} devices, connected in ${r.connectMs} ms, ${s.acked} messages acknowledged, ${s.errors} errors, ${s.reconnects} reconnects\n`);
  process.exit(0);
}
