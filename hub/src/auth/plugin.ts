import type { FastifyInstance, FastifyPluginAsync, FastifyPluginCallback, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import { HubError, type Department, type User, type UserRole } from '@gridhub/core';
import { PUBLIC, type RouteAccess } from './access.ts';
import { originAllowed } from './origin.ts';
import { resolveScope, seesGrid, seesTicket, type AccessScope, type GridsIn } from './scope.ts';
import type { LiveSession, UserStore } from './users.ts';

export const SESSION_COOKIE = 'gridhub_session';
/** The header every state-changing request sent with the session cookie must carry (CSRF). */
export const CSRF_HEADER = 'x-gridhub-csrf';

declare module 'fastify' {
  interface FastifyRequest {
    /** The logged-in user (null only on public routes). */
    user: User | null;
    scope: AccessScope | null;
    /** The session the request came with (null only on public routes). */
    session: LiveSession | null;
  }
  interface FastifyInstance {
    /** Every route registered after the auth plugin, with its declaration, for tests that must cover them all. */
    routeTable: { method: string; url: string; access: RouteAccess | undefined }[];
  }
}

/** A resource addressed as `<prefix>/:id...`: who owns it, for the scope check. */
export interface GuardedResource {
  prefix: string;
  kind: 'ticket' | 'device';
  owner(id: string): Promise<{ gridId: string; department: Department | null } | undefined>;
  /** What the route answers for an id that does not exist: a caller outside its scope gets the same. */
  notFound(id: string): HubError;
}

export interface AuthPluginOptions {
  users: UserStore;
  /** The grids of a community or street (a community or street officer's scope). */
  gridsIn: GridsIn;
  resources: GuardedResource[];
  /** List routes (no trailing slash) with a `grid` query that a grid-scoped user gets filtered to their grid (several grids: the handler applies `scopedGrids`). */
  gridFilteredLists: string[];
  /** Browser origins besides the hub's own that may send state-changing requests (HUB_ALLOWED_ORIGINS). */
  allowedOrigins: ReadonlySet<string>;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const bearerOf = (authorization: string | undefined): string | undefined => /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];

/** The session token of a request: `Authorization: Bearer <token>` (API clients) or the HttpOnly cookie (browsers). */
export function sessionToken(headers: { authorization?: string; cookie?: string }): string | undefined {
  const bearer = bearerOf(headers.authorization);
  if (bearer) return bearer;
  return headers.cookie ? cookie.fastifyCookie.parse(headers.cookie)[SESSION_COOKIE] : undefined;
}

export function forbidden(what: string): HubError {
  return new HubError('HUB_ERR_FORBIDDEN', [what]);
}

/** The request's user, with one of these roles (routes declare roles in `config.access`; this is for finer checks). */
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
 * A third-party plugin's routes (API docs, the dashboard's files) as public: each gets
 * `config.access = PUBLIC` unless it declares otherwise.
 */
export function publicRoutes(plugin: FastifyPluginCallback<any> | FastifyPluginAsync<any>, opts: object): FastifyPluginAsync {
  return async (app) => {
    app.addHook('onRoute', defaultPublic);
    await app.register(plugin, opts);
  };
}

/** An `onRoute` hook for an encapsulated context whose routes are all public unless declared. */
export function defaultPublic(r: RouteOptions): void {
  r.config = { ...r.config, access: r.config?.access ?? PUBLIC } as typeof r.config;
}

/**
 * Access for every route, in one place. Each route declares who may call it in its own options
 * (`config: { access }`, see access.ts); a route without a declaration stops the start (onReady).
 * `onRequest` runs after routing, so it reads the MATCHED route's declaration — no spelling of a
 * path (`/%61pi/…`, `//api/…`) reaches a handler without its check; an unmatched path is a 404.
 * It also refuses state-changing requests from foreign origins and cookie-borne ones without the
 * CSRF header. `preValidation` checks the route's `:id` resource (ticket, device), its `:grid`
 * and its `grid` query against the session's scope (403), before any handler or body validation.
 */
export const authPlugin = fp(async (app: FastifyInstance, opts: AuthPluginOptions) => {
  await app.register(cookie);
  // Only routes that ask for it (`config.rateLimit`: the login) are rate limited.
  await app.register(rateLimit, { global: false });
  app.decorateRequest('user', null);
  app.decorateRequest('scope', null);
  app.decorateRequest('session', null);
  const routes: RouteOptions[] = [];
  const routeTable: { method: string; url: string; access: RouteAccess | undefined }[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (r) => {
    routes.push(r);
  });
  app.addHook('onReady', async () => {
    for (const r of routes) {
      const access = r.config?.access;
      for (const method of [r.method].flat()) {
        if (!access) throw new HubError('HUB_ERR_CONFIG', [`route ${method} ${r.url} declares no access (config.access: PUBLIC, ANY_SESSION or roles(...))`]);
        if (method !== 'HEAD') routeTable.push({ method, url: r.url, access });
      }
    }
  });

  app.addHook('onRequest', async (req) => {
    const unsafe = !SAFE_METHODS.has(req.method);
    if (unsafe && !originAllowed(req.headers, opts.allowedOrigins)) throw new HubError('HUB_ERR_ORIGIN', [String(req.headers.origin)]);
    const bearer = bearerOf(req.headers.authorization);
    // A browser sends the cookie by itself, even for another site's form: a state-changing request
    // riding on it (or coming from a page at all) must show it was made by our script.
    if (unsafe && !bearer && (req.headers.origin !== undefined || req.headers.cookie?.includes(`${SESSION_COOKIE}=`)) && req.headers[CSRF_HEADER] !== '1') {
      throw new HubError('HUB_ERR_CSRF', [CSRF_HEADER]);
    }
    const access = req.routeOptions.config?.access;
    if (!access) {
      if (req.is404) return;
      throw new HubError('HUB_ERR_UNAUTHENTICATED');
    }
    if ('public' in access) return;
    const token = bearer ?? sessionToken({ cookie: req.headers.cookie });
    const session = token ? await opts.users.session(token) : undefined;
    if (!session) throw new HubError('HUB_ERR_UNAUTHENTICATED');
    const user = session.user;
    req.session = session;
    req.user = user;
    req.scope = await resolveScope(user, opts.gridsIn);
    if (access.roles !== 'any' && !access.roles.includes(user.role)) throw forbidden(`${req.method} ${req.routeOptions.url}`);
  });

  app.addHook('preValidation', async (req) => {
    const scope = req.scope;
    if (!scope || scope.kind === 'all') return;
    const url = (req.routeOptions.url ?? '').replace(/(.)\/$/, '$1');
    const params = (req.params ?? {}) as Record<string, string | undefined>;
    for (const r of opts.resources) {
      if (!params.id || !url.startsWith(`${r.prefix}/:id`)) continue;
      // Another grid's ticket or device answers exactly as one that does not exist (404, same
      // code and text): a caller with a scope cannot tell which ids exist outside it.
      const owner = await r.owner(params.id);
      if (!owner || !(r.kind === 'ticket' ? seesTicket(scope, owner) : seesGrid(scope, owner.gridId))) throw r.notFound(params.id);
    }
    if (params.grid !== undefined && !seesGrid(scope, params.grid)) throw forbidden(`see grid ${params.grid}`);
    const query = (req.query ?? {}) as Record<string, unknown>;
    if (typeof query.grid === 'string' && !seesGrid(scope, query.grid)) throw forbidden(`see grid ${query.grid}`);
    if (opts.gridFilteredLists.includes(url) && query.grid === undefined) {
      // One grid (a warden): the list is filtered to it here; several (an officer): the handler filters to the scope's grids.
      if (scope.kind !== 'grids' || scope.gridIds.length === 0) throw forbidden(`list ${url}`);
      if (scope.gridIds.length === 1) query.grid = scope.gridIds[0];
    }
  });
});
