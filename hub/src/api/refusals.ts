import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { roles } from '../auth/index.ts';
import type { HubServices } from '../services.ts';

/** The hub's record of refused device messages, across all devices. */
export const refusalsRoutes: FastifyPluginAsyncTypebox<{ hub: HubServices }> = async (app, { hub }) => {
  app.get(
    '/',
    {
      config: { access: roles('admin', 'operator') },
      schema: {
        tags: ['refusals'],
        summary: 'Refused messages, newest first',
        querystring: Type.Object({
          code: Type.Optional(Type.String({ pattern: '^HUB_ERR_[A-Z_]+$' })),
          device: Type.Optional(Type.String()),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
        }),
      },
    },
    async (req) => {
      const filter = { deviceId: req.query.device, code: req.query.code };
      const [total, items] = await Promise.all([hub.store.countRefusals(filter), hub.store.listRefusals({ ...filter, limit: req.query.limit })]);
      return { total, items };
    },
  );
};
