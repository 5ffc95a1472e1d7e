import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import { HubError } from '@gridhub/core';

/** Where `npm run build` puts the dashboard (dashboard/dist). */
export const DASHBOARD_DIST = fileURLToPath(new URL('../../../dashboard/dist/', import.meta.url));

/** Paths that belong to the API and the hub's own endpoints: never answered with the app. */
const NOT_APP = /^\/(api|docs|metrics|mqtt|socket\.io)(\/|$|\?)/;

/**
 * The dashboard (desk `/`, wall `/wall`, phone `/m`) served from dashboard/dist on the hub's
 * HTTP port. Files are routed once at start (`wildcard: false`); hashed assets are cached for a
 * year, index.html and the service worker never; any other GET outside the API gets index.html
 * (the app routes itself). Gzip/brotli siblings written by the build are preferred.
 */
export async function staticRoutes(app: FastifyInstance, opts: { root?: string } = {}): Promise<void> {
  const root = opts.root ?? DASHBOARD_DIST;
  if (!existsSync(`${root}/index.html`)) {
    app.log.warn({ root }, 'dashboard is not built (npm run build): only the API is served');
    return;
  }
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
  const app404 = (url: string) => new HubError('HUB_ERR_NOT_FOUND', [`GET ${url.split('?')[0]}`]);
  const sendApp = async (req: FastifyRequest, reply: FastifyReply) => {
    if (NOT_APP.test(req.url)) throw app404(req.url);
    reply.header('Cache-Control', 'no-cache');
    return reply.sendFile('index.html');
  };
  app.get('/', { schema: { hide: true } }, sendApp);
  app.get('/*', { schema: { hide: true } }, sendApp);
}
