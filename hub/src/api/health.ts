import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { PUBLIC } from '../auth/index.ts';
import type { HubServices } from '../services.ts';

/** GET /api/health: each part's state; 200 only when every part is ready, else 503. */
export const healthRoutes: FastifyPluginAsyncTypebox<{ hub: HubServices }> = async (app, { hub }) => {
  app.get('/', { config: { access: PUBLIC }, schema: { tags: ['health'], summary: 'Readiness of broker, store, telemetry store and spool' } }, async (_req, reply) => {
    const parts = await hub.health();
    const ok = Object.values(parts).every((p) => p.ok);
    return reply.status(ok ? 200 : 503).send({ ok, parts });
  });
};
