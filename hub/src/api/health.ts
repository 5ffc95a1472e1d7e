import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { HubServices } from '../services.ts';

/**
 * GET /api/health: the hub's state (`ok | degraded | down`) and each part's with its reason.
 * 503 only when the hub cannot take alarms (`down`: broker not listening, spool full); a store,
 * telemetry sink or rules engine in trouble is `degraded` and answers 200.
 */
export const healthRoutes: FastifyPluginAsyncTypebox<{ hub: HubServices }> = async (app, { hub }) => {
  app.get('/', { schema: { tags: ['health'], summary: 'State of broker, spool, store, telemetry store and rules engine: ok, degraded or down, with reasons' } }, async (_req, reply) => {
    const { status, parts } = await hub.health();
    return reply.status(status === 'down' ? 503 : 200).send({ status, ok: status === 'ok', parts });
  });
};
