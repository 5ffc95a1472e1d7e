/**
 * `npm run build -w hub`: bundles the hub (hub/src/main.ts and the workspace packages it imports)
 * into one ES module, hub/dist/main.mjs, with esbuild. `npm start` runs that file with plain node:
 * no TypeScript loader in the running hub (tsx's loader thread and transform cache cost about
 * 45 MiB of RSS and a second at start). npm packages stay external, loaded from node_modules as
 * usual (better-sqlite3 is native). Development and tests run the sources with tsx.
 *
 * A bundled file's `import.meta.url` would be the bundle's; each source file's is rewritten to
 * its own location relative to the bundle, so files found next to the sources (the demo site,
 * dashboard/dist) are found from the bundle too.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { build } from 'esbuild';

const hub = join(import.meta.dirname, '..');
const outfile = join(hub, 'dist', 'main.mjs');

/** @type {import('esbuild').Plugin} npm packages are loaded from node_modules; the workspace's are bundled. */
const npmPackagesExternal = {
  name: 'npm-packages-external',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (a) => (a.path.startsWith('@gridhub/') ? undefined : { path: a.path, external: true }));
  },
};

/** @type {import('esbuild').Plugin} Each source file's `import.meta.url` stays its own location. */
const sourceLocations = {
  name: 'source-locations',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (a) => {
      const text = await readFile(a.path, 'utf8');
      const rel = relative(dirname(outfile), a.path).split('\\').join('/');
      return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`), loader: 'ts' };
    });
  },
};

const t0 = Date.now();
/** One bundle: an entry point and the workspace packages it imports into one ES module. */
const bundle = (entry, out) =>
  build({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
    plugins: [npmPackagesExternal, sourceLocations],
  });
await bundle(join(hub, 'src', 'main.ts'), outfile);
// The demo simulation npm start runs beside the hub on the demo site (a child process over MQTT).
await bundle(join(hub, '..', 'simulators', 'src', 'demo-sim.ts'), join(hub, 'dist', 'demo-sim.mjs'));
process.stdout.write(`hub: built ${relative(process.cwd(), outfile)} in ${Date.now() - t0} ms\n`);
