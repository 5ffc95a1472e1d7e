/**
 * `npm run build`: builds the dashboard into dashboard/dist with Vite, then writes gzip and
 * brotli siblings of each text asset (the hub serves them with `preCompressed`). Skipped when
 * dist is newer than every source file, so `npm start` stays fast. `--force` always builds.
 * Prints the initial JavaScript (what the first page load fetches) raw and compressed.
 */
import { readdirSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';
import { build } from 'vite';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');
const sources = [join(root, 'src'), join(root, 'public'), join(root, 'index.html'), join(root, 'vite.config.ts'), join(root, '..', 'core', 'src')];

function newestMs(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((f) => newestMs(join(path, f))));
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

const force = process.argv.includes('--force');
const built = existsSync(join(dist, 'index.html')) ? statSync(join(dist, 'index.html')).mtimeMs : 0;
if (!force && built > Math.max(...sources.filter(existsSync).map(newestMs))) {
  process.stdout.write('dashboard: dist is up to date\n');
  process.exit(0);
}

// A run under vitest inherits NODE_ENV=test, which would build React's development bundle.
process.env.NODE_ENV = 'production';
await build({ root, configFile: join(root, 'vite.config.ts'), logLevel: 'warn', mode: 'production' });
for (const f of files(dist)) {
  if (!/\.(js|css|html|svg|webmanifest|json)$/.test(f)) continue;
  const body = readFileSync(f);
  if (body.length < 1024) continue;
  writeFileSync(`${f}.gz`, gzipSync(body, { level: 9 }));
  writeFileSync(`${f}.br`, brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
}
// The initial load: index.html's own scripts and their static imports (modulepreload links).
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const initial = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => join(dist, m[1]!));
const size = (f: string, ext = '') => (existsSync(f + ext) ? statSync(f + ext).size : statSync(f).size);
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const raw = initial.reduce((s, f) => s + size(f), 0);
const gz = initial.reduce((s, f) => s + size(f, '.gz'), 0);
const br = initial.reduce((s, f) => s + size(f, '.br'), 0);
process.stdout.write(`dashboard: built; initial JS ${kb(raw)} (gzip ${kb(gz)}, brotli ${kb(br)}) in ${initial.map((f) => relative(dist, f)).join(', ')}\n`);
writeFileSync(join(dist, 'build-report.json'), JSON.stringify({ initialJs: { files: initial.map((f) => relative(dist, f)), rawBytes: raw, gzipBytes: gz, brotliBytes: br } }, null, 2));
