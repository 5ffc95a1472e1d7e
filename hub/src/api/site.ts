import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { HubServices } from '../services.ts';

/** The site tree (街道 → 社区 → 网格 → 小区 → 楼栋 → 单元) and wardens. */
export const siteRoutes: FastifyPluginAsyncTypebox<{ hub: HubServices }> = async (app, { hub }) => {
  app.get('/', { schema: { tags: ['site'], summary: 'The whole site tree with device counts per estate' } }, async () => hub.store.siteTree());
  app.get(
    '/wardens',
    { schema: { tags: ['site'], summary: 'Wardens (网格员), optionally of one grid', querystring: Type.Object({ grid: Type.Optional(Type.String()) }) } },
    async (req) => hub.store.listWardens(req.query.grid),
  );
};
