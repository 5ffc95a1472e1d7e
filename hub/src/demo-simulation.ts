import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';

/**
 * `npm start` on the demo site: a gentle simulation of every demo device runs beside the hub, so a
 * newcomer's first screen is alive (devices online, an occasional alarm within a minute). A child
 * process that reaches the hub over MQTT only, as real devices do; it ends with the hub (its stdin
 * closes) and is never started for a real site (HUB_DEMO_SIMULATION=0 turns it off).
 */
export function startDemoSimulation(mqttUrl: string, log: Pick<Logger, 'info' | 'warn'>): () => void {
  // Bundled (npm start runs hub/dist/main.mjs): the simulation is bundled beside it; from the sources, through tsx.
  const bundled = process.argv[1] ? join(dirname(process.argv[1]), 'demo-sim.mjs') : '';
  const source = fileURLToPath(new URL('../../simulators/src/demo-sim.ts', import.meta.url));
  const args = process.argv[1]?.endsWith('.mjs') && existsSync(bundled) ? [bundled, mqttUrl] : ['--import', 'tsx', source, mqttUrl];
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['pipe', 'ignore', 'inherit'] });
  child.on('exit', (code, signal) => {
    if (!stopped) log.warn({ code, signal }, 'demo simulation ended');
  });
  child.on('error', (err) => log.warn({ err }, 'demo simulation could not start'));
  let stopped = false;
  log.info({ pid: child.pid }, 'demo simulation started (HUB_DEMO_SIMULATION=0 turns it off)');
  return () => {
    stopped = true;
    child.stdin?.end();
    child.kill('SIGTERM');
  };
}
