import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Real servers for tests. Each starts on a temp dir and a free port and is stopped by the test.
 * Where a server is not installed, `serverAvailable` prints a loud notice and the test skips;
 * with HUB_REQUIRE_SERVERS=1 (set by .ci/run) a missing server is a failure instead.
 */
export const REQUIRE_SERVERS = process.env.HUB_REQUIRE_SERVERS === '1';

export function which(cmd: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function pgBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (existsSync(join(root, v, 'bin', 'initdb'))) return join(root, v, 'bin');
  return null;
}

const BINARIES = {
  influxd: () => which('influxd'),
  postgres: () => pgBinDir(),
  mosquitto: () => which('mosquitto') ?? (existsSync('/usr/sbin/mosquitto') ? '/usr/sbin/mosquitto' : null),
  chromium: () => which('chromium') ?? which('chromium-browser'),
  mosquitto_pub: () => which('mosquitto_pub'),
} as const;
export type ServerName = keyof typeof BINARIES;

/**
 * True when the server can be started here. Otherwise prints a loud notice and returns false
 * (the caller skips), or throws when HUB_REQUIRE_SERVERS=1.
 */
export function serverAvailable(name: ServerName): boolean {
  if (BINARIES[name]()) return true;
  const msg = `\n${'!'.repeat(78)}\n!!! ${name} is not installed: tests that need it are SKIPPED.\n!!! Install Debian's package (see .ci/run) to run them; CI sets HUB_REQUIRE_SERVERS=1.\n${'!'.repeat(78)}\n`;
  if (REQUIRE_SERVERS) throw new Error(`${name} is required (HUB_REQUIRE_SERVERS=1) but not installed`);
  process.stderr.write(msg);
  return false;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `gridhub-${prefix}-`));
}

export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await check()) return;
      lastError = undefined;
    } catch (err) {
      lastError = err; // not yet; but if it never comes, this is why
    }
    if (Date.now() > deadline) {
      const why = lastError === undefined ? '' : ` (the last check threw: ${lastError instanceof Error ? lastError.message : String(lastError)})`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`, { cause: lastError });
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Resolves once something accepts TCP connections on host:port. */
export function waitForPort(port: number, host = '127.0.0.1', timeoutMs = 10_000, what = `port ${port}`): Promise<void> {
  return waitFor(
    () =>
      new Promise<boolean>((resolve) => {
        const s = connect(port, host, () => {
          s.end();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      }),
    timeoutMs,
    what,
  );
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

// ---------------------------------------------------------------- influxd (1.x)

export interface Influxd {
  url: string;
  db: string;
  dir: string;
  /** InfluxQL on /query; returns the parsed JSON. */
  query(q: string): Promise<any>;
  /** Count of points matching an InfluxQL count query's first value (0 when no series). */
  count(q: string): Promise<number>;
  stop(): Promise<void>;
  /** Starts again on the same dir and port (after stop). */
  start(): Promise<void>;
}

export async function startInfluxd(db = 'gridhub'): Promise<Influxd> {
  const bin = BINARIES.influxd();
  if (!bin) throw new Error('influxd not installed');
  const dir = tempDir('influxd');
  const port = await freePort();
  const rpc = await freePort();
  const conf = join(dir, 'influxd.conf');
  writeFileSync(
    conf,
    `reporting-disabled = true
bind-address = "127.0.0.1:${rpc}"
[meta]
  dir = "${dir}/meta"
[data]
  dir = "${dir}/data"
  wal-dir = "${dir}/wal"
  query-log-enabled = false
  wal-fsync-delay = "0s"
[http]
  bind-address = "127.0.0.1:${port}"
  log-enabled = false
  max-body-size = 0
[monitor]
  store-enabled = false
[subscriber]
  enabled = false
[continuous_queries]
  enabled = false
`,
  );
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  const query = async (q: string) => {
    const res = await fetch(`${url}/query?db=${encodeURIComponent(db)}&epoch=ms`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ q }).toString(),
    });
    if (!res.ok) throw new Error(`influx query ${res.status}: ${await res.text()}`);
    return (await res.json()) as any;
  };
  const start = async () => {
    child = spawn(bin, ['-config', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr?.on('data', (d: Buffer) => {
      log = (log + d.toString()).slice(-4000);
    });
    const c = child;
    await waitFor(async () => {
      if (c.exitCode !== null) throw new Error(`influxd exited: ${log}`);
      return (await fetch(`${url}/ping`)).status === 204;
    }, 30_000, 'influxd');
    await query(`CREATE DATABASE "${db}"`);
  };
  const stop = async () => {
    if (!child) return;
    const c = child;
    child = null;
    c.kill('SIGTERM');
    await exited(c);
  };
  await start();
  return {
    url,
    db,
    dir,
    query,
    async count(q) {
      const r = await query(q);
      const v = r?.results?.[0]?.series?.[0]?.values?.[0]?.[1];
      return typeof v === 'number' ? v : 0;
    },
    start,
    async stop() {
      await stop();
    },
  };
}

export async function stopInfluxdAndClean(i: Influxd): Promise<void> {
  await i.stop();
  rmSync(i.dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------- PostgreSQL

export interface Postgres {
  url: string;
  /** Stops the server (fast shutdown: connections are cut), keeping its data for `resume`. */
  halt(): Promise<void>;
  /** Starts it again on the same port and data after `halt`. */
  resume(): Promise<void>;
  /**
   * Freezes every server process (SIGSTOP), as a stalled host or a partition would: connections
   * stay open and queries hang without an error until `thaw` (instant, unlike halt and resume).
   */
  freeze(): void;
  thaw(): void;
  stop(): Promise<void>;
}

/** A process and its children (from /proc), the parent first. */
function processTree(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return [pid, ...children];
}

/** PostgreSQL refuses to run as root: when root, initdb and pg_ctl run as the `postgres` user. */
export async function startPostgres(): Promise<Postgres> {
  const bin = BINARIES.postgres();
  if (!bin) throw new Error('PostgreSQL not installed');
  const dir = tempDir('pg');
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const run = (cmd: string) => {
    const r = asRoot
      ? spawnSync('su', ['postgres', '-s', '/bin/sh', '-c', cmd], { encoding: 'utf8' })
      : spawnSync('sh', ['-c', cmd], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd}\n${r.stdout}\n${r.stderr}`);
  };
  run(`${bin}/initdb -D ${data} -U postgres -A trust --no-sync -E UTF8 >/dev/null`);
  const start = () => run(`${bin}/pg_ctl -D ${data} -l ${dir}/pg.log -w -t 60 -o "-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null`);
  start();
  const postmaster = () => Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  let frozen = false;
  const signal = (pids: number[], sig: NodeJS.Signals) => {
    for (const pid of pids) {
      try {
        process.kill(pid, sig);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err; // a backend that ended meanwhile
      }
    }
  };
  const thaw = () => {
    signal(processTree(postmaster()).reverse(), 'SIGCONT');
    frozen = false;
  };
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async halt() {
      run(`${bin}/pg_ctl -D ${data} -m fast -w stop >/dev/null`);
    },
    async resume() {
      start();
    },
    freeze() {
      frozen = true;
      signal(processTree(postmaster()), 'SIGSTOP');
    },
    thaw,
    async stop() {
      try {
        if (frozen) thaw(); // a frozen server cannot stop
        run(`${bin}/pg_ctl -D ${data} -m immediate -w stop >/dev/null`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

// ---------------------------------------------------------------- Mosquitto (benchmark reference)

export interface Mosquitto {
  port: number;
  stop(): Promise<void>;
}

export async function startMosquitto(extraConf = ''): Promise<Mosquitto> {
  const bin = BINARIES.mosquitto();
  if (!bin) throw new Error('mosquitto not installed');
  const dir = tempDir('mosquitto');
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 0\n${extraConf}\n`);
  const child = spawn(bin, ['-c', conf], { stdio: 'ignore' });
  await waitForPort(port, '127.0.0.1', 10_000, 'mosquitto');
  return {
    port,
    async stop() {
      child.kill('SIGTERM');
      await exited(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function chromiumPath(): string | null {
  return BINARIES.chromium();
}
