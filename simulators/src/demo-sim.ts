/**
 * The gentle demo simulation `npm start` runs beside the hub when it has the demo site (a child
 * process, so the simulated devices reach the hub only over MQTT, like real ones): every demo
 * device connects with its own secret and the models talk at x60, demo tempo (devices online at
 * once, an occasional alarm within a minute). Arguments: <mqtt url> [speed]. It ends when its
 * parent does (stdin closes) or on SIGTERM.
 */
import { runSite } from './run.ts';
import { loadDemoSite } from './site.ts';

const url = process.argv[2];
if (!url) {
  process.stderr.write('usage: demo-sim <mqtt url> [speed]\n');
  process.exit(2);
}
const speed = Number(process.argv[3] ?? 60);
const abort = new AbortController();
// Once asked to stop, stop: the devices say goodbye if the hub is still there, else we go anyway.
abort.signal.addEventListener('abort', () => setTimeout(() => process.exit(0), 3000).unref());
process.once('SIGTERM', () => abort.abort());
process.once('SIGINT', () => abort.abort());
process.stdin.on('end', () => abort.abort()).on('error', () => abort.abort()).resume();
const { devices } = await loadDemoSite();
await runSite({ url, devices, speed, seed: 1, tempo: 'demo', telemetryQos: 1, progress: false, signal: abort.signal, log: (l) => process.stderr.write(`demo simulation: ${l}\n`) });
process.exit(0);
