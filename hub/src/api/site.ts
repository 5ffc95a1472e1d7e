import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ANY_SESSION, officerView, sessionOf, staffView } from '../auth/index.ts';
import type { HubServices } from '../services.ts';

/**
 * The site tree (街道 → 社区 → 网格 → 小区 → 楼栋 → 单元) and wardens. Everyone sees the places
 * and every grid's staff and the officers (社区干部, 街道干部) by name; phones only as auth/scope.ts
 * `staffView` / `officerView` allow.
 */
export const siteRoutes: FastifyPluginAsyncTypebox<{ hub: HubServices }> = async (app, { hub }) => {
  app.get('/', { config: { access: ANY_SESSION }, schema: { tags: ['site'], summary: 'The whole site tree with device counts per estate' } }, async (req) => {
    const { user, scope } = sessionOf(req);
    const tree = await hub.store.siteTree();
    return {
      ...tree,
      street: tree.street && { ...tree.street, officers: tree.street.officers.map((o) => officerView(user, o)) },
      communities: tree.communities.map((c) => ({
        ...c,
        officers: c.officers.map((o) => officerView(user, o)),
        grids: c.grids.map((g) => ({ ...g, wardens: g.wardens.map((w) => staffView(user, w, scope)) })),
      })),
    };
  });
  app.get(
    '/wardens',
    { config: { access: ANY_SESSION }, schema: { tags: ['site'], summary: 'Wardens (网格员), optionally of one grid; phones where you may call them', querystring: Type.Object({ grid: Type.Optional(Type.String()) }) } },
    async (req) => {
      const { user, scope } = sessionOf(req);
      return (await hub.store.listWardens(req.query.grid)).map((w) => staffView(user, w, scope));
    },
  );
};
