import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import { defaultPublic } from '../auth/index.ts';

/** Where `npm run build` puts the dashboard (dashboard/dist). */
export const DASHBOARD_DIST = fileURLToPath(new URL('../../../dashboard/dist/', import.meta.url));

/** The app's own paths (desk `/`, wall, phone, admin, device models): anything else that matches no file is a 404. */
export const APP_PATHS = ['/', '/wall', '/wall/*', '/m', '/m/*', '/admin', '/admin/*', '/models'];

/**
 * The dashboard (desk `/`, wall `/wall`, phone `/m`) served from dashboard/dist on the hub's
 * HTTP port. Files are routed once at start (`wildcard: false`), public; hashed assets are cached
 * for a year, index.html and the service worker never; the app's own paths (APP_PATHS) get
 * index.html (the app routes itself), any other path is a 404. Gzip/brotli siblings written by
 * the build are preferred.
 */
export async function staticRoutes(app: FastifyInstance, opts: { root?: string } = {}): Promise<void> {
  const root = opts.root ?? DASHBOARD_DIST;
  if (!existsSync(`${root}/index.html`)) {
    app.log.warn({ root }, 'dashboard is not built (npm run build): only the API is served');
    return;
  }
  // The dashboard's files and shell are public (its data is not): every route here, one declaration.
  app.addHook('onRoute', defaultPublic);
  await app.register(fastifyStatic, {
    root,
    wildcard: false,
    preCompressed: true,
    index: false,
    cacheControl: false,
    setHeaders(res, path) {
      const hashed = /[\\/]assets[\\/]/.test(path);
      res.setHeader('Cache-Control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  const sendApp = async (_req: FastifyRequest, reply: FastifyReply) => {
    reply.header('Cache-Control', 'no-cache');
    return reply.sendFile('index.html');
  };
  for (const url of APP_PATHS) app.get(url, { schema: { hide: true } }, sendApp);
}
