import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { PUBLIC } from '../auth/index.ts';
import type { HubServices } from '../services.ts';

/** GET /metrics in Prometheus text format. */
export const metricsRoutes: FastifyPluginAsyncTypebox<{ hub: HubServices }> = async (app, { hub }) => {
  app.get('/metrics', { config: { access: PUBLIC }, schema: { tags: ['health'], summary: 'Prometheus metrics', hide: false } }, async (_req, reply) => {
    const { contentType, body } = await hub.metrics();
    return reply.type(contentType).send(body);
  });
};
