import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { DEPARTMENTS, HubError, USER_ROLES } from '@gridhub/core';
import { ANY_SESSION, roles, sessionOf } from '../auth/index.ts';
import { startSession } from './auth.ts';
import type { HubServices } from '../services.ts';
import { ErrorBody } from './errors.ts';

const Id = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' });
const Role = Type.Union(USER_ROLES.map((r) => Type.Literal(r)));
const Dept = Type.Union(DEPARTMENTS.map((d) => Type.Literal(d)));
const Password = Type.String({ minLength: 8, maxLength: 200 });

export const UserBody = Type.Object({
  id: Type.String(),
  username: Type.String(),
  name: Type.String(),
  role: Role,
  gridId: Type.Union([Type.String(), Type.Null()]),
  department: Type.Union([Dept, Type.Null()]),
  communityId: Type.Union([Type.String(), Type.Null()]),
  streetId: Type.Union([Type.String(), Type.Null()]),
  createdMs: Type.Number(),
});

/** Users (admin only), and one's own password. */
export const usersRoutes: FastifyPluginAsyncTypebox<{ hub: HubServices }> = async (app, { hub }) => {
  const { users } = hub.auth;

  app.get('/', { config: { access: roles('admin') }, schema: { tags: ['users'], summary: 'Every user (admin)', response: { 200: Type.Array(UserBody) } } }, async () => {
    return users.list();
  });

  app.post(
    '/',
    {
      config: { access: roles('admin') },
      schema: {
        tags: ['users'],
        summary:
          'Create a user (admin). A warden or grid leader uses their warden id as id and needs a grid; a department user a department; a community officer (社区干部) a community, a street officer (街道干部) the street office (their officer id as id).',
        body: Type.Object({
          id: Type.Optional(Id),
          username: Id,
          name: Type.String({ minLength: 1, maxLength: 100 }),
          role: Role,
          gridId: Type.Optional(Id),
          department: Type.Optional(Dept),
          communityId: Type.Optional(Id),
          streetId: Type.Optional(Id),
          password: Password,
        }),
        response: { 201: UserBody, 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const tree = await hub.store.siteTree();
      const grids = new Set(tree.communities.flatMap((c) => c.grids.map((g) => g.id)));
      if (b.gridId && !grids.has(b.gridId)) throw new HubError('HUB_ERR_VALIDATION', [`no grid ${b.gridId}`]);
      if (b.communityId && !tree.communities.some((c) => c.id === b.communityId)) throw new HubError('HUB_ERR_VALIDATION', [`no community ${b.communityId}`]);
      if (b.streetId && tree.street?.id !== b.streetId) throw new HubError('HUB_ERR_VALIDATION', [`no street office ${b.streetId}`]);
      const user = await users.create({ ...b, gridId: b.gridId ?? null, department: b.department ?? null, communityId: b.communityId ?? null, streetId: b.streetId ?? null });
      return reply.status(201).send(user);
    },
  );

  app.put(
    '/me/password',
    {
      config: { access: ANY_SESSION },
      schema: {
        tags: ['users'],
        summary: 'Change your own password: every session of yours ends (their sockets too); this request gets a new one',
        body: Type.Object({ current: Type.String({ minLength: 1, maxLength: 200 }), next: Password }),
        response: { 200: Type.Object({ ok: Type.Boolean(), token: Type.Optional(Type.String()), expiresMs: Type.Number() }), 401: ErrorBody },
      },
    },
    async (req, reply) => {
      const { user } = sessionOf(req);
      if (!(await users.verify(user.username, req.body.current))) throw new HubError('HUB_ERR_LOGIN');
      await users.setPassword(user.id, req.body.next);
      const { token, expiresMs } = await startSession(hub, req, reply, user);
      return { ok: true, token, expiresMs };
    },
  );

  app.put(
    '/:id/grid',
    {
      config: { access: roles('admin') },
      schema: {
        tags: ['users'],
        summary: "Change the grid a warden or grid leader serves (admin): their next request sees the new grid; their live sockets end and reconnect in it",
        params: Type.Object({ id: Id }),
        body: Type.Object({ gridId: Id }),
        response: { 200: Type.Object({ ok: Type.Boolean() }), 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => {
      const grids = new Set((await hub.store.siteTree()).communities.flatMap((c) => c.grids.map((g) => g.id)));
      if (!grids.has(req.body.gridId)) throw new HubError('HUB_ERR_VALIDATION', [`no grid ${req.body.gridId}`]);
      const done = await users.setGrid(req.params.id, req.body.gridId);
      if (done === null) throw new HubError('HUB_ERR_NOT_FOUND', [`user ${req.params.id}`]);
      if (!done) throw new HubError('HUB_ERR_VALIDATION', [`${req.params.id} does not serve a grid (only wardens and grid leaders do)`]);
      return { ok: true };
    },
  );

  app.put(
    '/:id/disabled',
    {
      config: { access: roles('admin') },
      schema: {
        tags: ['users'],
        summary: 'Disable a user (every session of theirs ends at once, sockets too), or enable them again (admin)',
        params: Type.Object({ id: Id }),
        body: Type.Object({ disabled: Type.Boolean() }),
        response: { 200: Type.Object({ ok: Type.Boolean() }), 404: ErrorBody },
      },
    },
    async (req) => {
      if (req.params.id === sessionOf(req).user.id && req.body.disabled) throw new HubError('HUB_ERR_VALIDATION', ['you cannot disable yourself']);
      if (!(await users.setDisabled(req.params.id, req.body.disabled))) throw new HubError('HUB_ERR_NOT_FOUND', [`user ${req.params.id}`]);
      return { ok: true };
    },
  );
};
