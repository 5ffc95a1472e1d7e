import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import cookie from '@fastify/cookie';
import { HubError, type Department, type User, type UserRole } from '@gridhub/core';
import { scopeOf, seesGrid, seesTicket, type AccessScope } from './scope.ts';
import type { UserStore } from './users.ts';

export const SESSION_COOKIE = 'gridhub_session';

declare module 'fastify' {
  interface FastifyRequest {
    /** The logged-in user (null only on public routes). */
    user: User | null;
    scope: AccessScope | null;
  }
  interface FastifyInstance {
    /** Every route registered after the auth plugin, for tests that must cover them all. */
    routeTable: { method: string; url: string }[];
  }
}

/** A resource addressed as `<prefix>/:id...`: who owns it, for the scope check. */
export interface GuardedResource {
  prefix: string;
  kind: 'ticket' | 'device';
  owner(id: string): Promise<{ gridId: string; department: Department | null } | undefined>;
}

export interface AuthPluginOptions {
  users: UserStore;
  resources: GuardedResource[];
  /** Routes (by prefix) only operators and admins may use. */
  staffOnly: string[];
  /** List routes (no trailing slash) with a `grid` query that a grid-scoped user gets filtered to their grid. */
  gridFilteredLists: string[];
}

/**
 * Everything outside /api (dashboard, docs, metrics, sockets) and health and login are public;
 * so are the platform pushes under /api/ingest/ (each checks its own signature or token).
 */
export function isPublicPath(path: string): boolean {
  return !path.startsWith('/api/') || path === '/api/health' || path.startsWith('/api/health/') || path === '/api/auth/login' || path.startsWith('/api/ingest/');
}

/** The session token of a request: the HttpOnly cookie, or `Authorization: Bearer <token>`. */
export function sessionToken(headers: { authorization?: string; cookie?: string }): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '')?.[1];
  if (bearer) return bearer;
  return headers.cookie ? cookie.fastifyCookie.parse(headers.cookie)[SESSION_COOKIE] : undefined;
}

export function forbidden(what: string): HubError {
  return new HubError('HUB_ERR_FORBIDDEN', [what]);
}

/** The request's user, with one of these roles. */
export function requireRole(req: FastifyRequest, roles: readonly UserRole[], what: string): User {
  const user = req.user;
  if (!user) throw new HubError('HUB_ERR_UNAUTHENTICATED');
  if (!roles.includes(user.role)) throw forbidden(what);
  return user;
}

export function sessionOf(req: FastifyRequest): { user: User; scope: AccessScope } {
  if (!req.user || !req.scope) throw new HubError('HUB_ERR_UNAUTHENTICATED');
  return { user: req.user, scope: req.scope };
}

/**
 * Sessions and scope, in one place, for every route: `onRequest` resolves the session (401
 * without one), `preValidation` checks the route's `:id` resource (ticket, device), its `:grid`
 * and its `grid` query against the session's scope (403), before any handler or body validation.
 */
export const authPlugin = fp(async (app: FastifyInstance, opts: AuthPluginOptions) => {
  await app.register(cookie);
  app.decorateRequest('user', null);
  app.decorateRequest('scope', null);
  const routeTable: { method: string; url: string }[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) if (method !== 'HEAD') routeTable.push({ method, url: r.url });
  });

  app.addHook('onRequest', async (req) => {
    if (isPublicPath(req.url.split('?')[0]!)) return;
    const token = sessionToken(req.headers);
    const user = token ? await opts.users.sessionUser(token) : undefined;
    if (!user) throw new HubError('HUB_ERR_UNAUTHENTICATED');
    req.user = user;
    req.scope = scopeOf(user);
  });

  app.addHook('preValidation', async (req) => {
    const scope = req.scope;
    if (!scope || scope.kind === 'all') return;
    const url = (req.routeOptions.url ?? '').replace(/(.)\/$/, '$1');
    if (opts.staffOnly.some((p) => url === p || url.startsWith(`${p}/`))) throw forbidden(`use ${url}`);
    const params = (req.params ?? {}) as Record<string, string | undefined>;
    for (const r of opts.resources) {
      if (!params.id || !url.startsWith(`${r.prefix}/:id`)) continue;
      const owner = await r.owner(params.id);
      if (owner && !(r.kind === 'ticket' ? seesTicket(scope, owner) : seesGrid(scope, owner.gridId))) throw forbidden(`see ${r.kind} ${params.id}`);
    }
    if (params.grid !== undefined && !seesGrid(scope, params.grid)) throw forbidden(`see grid ${params.grid}`);
    const query = (req.query ?? {}) as Record<string, unknown>;
    if (typeof query.grid === 'string' && !seesGrid(scope, query.grid)) throw forbidden(`see grid ${query.grid}`);
    if (opts.gridFilteredLists.includes(url) && query.grid === undefined) {
      if (scope.kind !== 'grids' || scope.gridIds.length !== 1) throw forbidden(`list ${url}`);
      query.grid = scope.gridIds[0];
    }
  });
});
