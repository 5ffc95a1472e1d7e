import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { HubError, type User } from '@gridhub/core';
import { addressKey, ANY_SESSION, PUBLIC, realtimeUserOf, SESSION_COOKIE, sessionOf, sessionToken, type Session } from '../auth/index.ts';
import type { HubServices } from '../services.ts';
import { ErrorBody } from './errors.ts';
import { UserBody } from './users.ts';

const Me = Type.Object({
  user: UserBody,
  /** Grids this user sees (null: every grid), and the department for a department user. */
  gridIds: Type.Union([Type.Array(Type.String()), Type.Null()]),
  department: Type.Union([Type.String(), Type.Null()]),
  expiresMs: Type.Number(),
});

/** Login requests one address may make per minute whatever their outcome (bounds the scrypt work a flood can cause). */
const LOGINS_PER_MINUTE = 60;

/**
 * A new session for this user: the HttpOnly, SameSite=Strict cookie always; the token itself only
 * for an API client. A browser (any request with an Origin header) never sees it, so no script on
 * the page can read or leak it.
 */
export async function startSession(hub: HubServices, req: FastifyRequest, reply: FastifyReply, user: User): Promise<{ token?: string; expiresMs: number; user: User }> {
  const session: Session = await hub.auth.users.openSession(user);
  reply.setCookie(SESSION_COOKIE, session.token, {
    httpOnly: true, sameSite: 'strict', path: '/', secure: hub.auth.cookieSecure, expires: new Date(session.expiresMs),
  });
  return req.headers.origin === undefined ? { token: session.token, expiresMs: session.expiresMs, user } : { expiresMs: session.expiresMs, user };
}

/**
 * Log in (POST /api/auth/login) for a session: a random token, stored hashed, set as an HttpOnly
 * cookie (and, for API clients, returned for `Authorization: Bearer`). Guessing is slowed per
 * (user name, address) and per address (auth/limiter.ts: HUB_ERR_LOGIN_RATE with Retry-After),
 * never the right password from an address that has not been guessing. An unknown user costs the
 * same time as a wrong password and gets the same answer. Every attempt is in the login audit.
 */
export const authRoutes: FastifyPluginAsyncTypebox<{ hub: HubServices }> = async (app, { hub }) => {
  const { users, logins } = hub.auth;

  app.post(
    '/login',
    {
      config: {
        access: PUBLIC,
        rateLimit: {
          max: LOGINS_PER_MINUTE, timeWindow: 60_000, keyGenerator: (req: FastifyRequest) => addressKey(req.ip),
          errorResponseBuilder: (_req: FastifyRequest, ctx: { ttl: number }) => new HubError('HUB_ERR_LOGIN_RATE', [Math.ceil(ctx.ttl / 1000)]),
        },
      },
      schema: {
        tags: ['auth'],
        summary: 'Log in with user name and password (登录)',
        body: Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 200 }) }),
        response: { 200: Type.Object({ token: Type.Optional(Type.String()), expiresMs: Type.Number(), user: UserBody }), 401: ErrorBody, 429: ErrorBody },
      },
    },
    async (req, reply) => {
      const { username, password } = req.body;
      const waitMs = logins.waitMs(username, req.ip, hub.now());
      if (waitMs > 0) {
        await users.audit(username, req.ip, 'delayed');
        const wait = Math.ceil(waitMs / 1000);
        reply.header('retry-after', String(wait));
        throw new HubError('HUB_ERR_LOGIN_RATE', [wait]);
      }
      const user = await users.verify(username, password);
      if (!user) {
        logins.failed(username, req.ip, hub.now());
        await users.audit(username, req.ip, 'wrong');
        throw new HubError('HUB_ERR_LOGIN');
      }
      logins.succeeded(username, req.ip, hub.now());
      await users.audit(username, req.ip, 'ok');
      // A new session every time; one the browser still carried ends (no fixation, no leftovers).
      const old = sessionToken(req.headers);
      if (old) await users.closeSession(old);
      return startSession(hub, req, reply, user);
    },
  );

  app.post('/logout', { config: { access: PUBLIC }, schema: { tags: ['auth'], summary: 'End this session (退出): its sockets are closed too', response: { 200: Type.Object({ ok: Type.Boolean() }) } } }, async (req, reply) => {
    const token = sessionToken(req.headers);
    if (token) await users.closeSession(token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true };
  });

  app.get('/me', { config: { access: ANY_SESSION }, schema: { tags: ['auth'], summary: 'Who is logged in, what they see, and when the session ends', response: { 200: Me } } }, async (req) => {
    const { user, scope } = sessionOf(req);
    const r = realtimeUserOf(user, scope);
    return { user, gridIds: r.gridIds, department: r.department, expiresMs: req.session?.expiresMs ?? 0 };
  });
};
