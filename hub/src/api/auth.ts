import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { HubError } from '@gridhub/core';
import { realtimeUserOf, SESSION_COOKIE, sessionOf, sessionToken } from '../auth/index.ts';
import type { HubServices } from '../services.ts';
import { ErrorBody } from './errors.ts';
import { UserBody } from './users.ts';

const Me = Type.Object({
  user: UserBody,
  /** Grids this user sees (null: every grid), and the department for a department user. */
  gridIds: Type.Union([Type.Array(Type.String()), Type.Null()]),
  department: Type.Union([Type.String(), Type.Null()]),
});

/**
 * Log in (POST /api/auth/login) for a session: a random token, stored hashed, set as an HttpOnly
 * cookie AND returned for `Authorization: Bearer`. Failed logins are limited per IP and per user
 * name (HUB_ERR_LOGIN_RATE with Retry-After); an unknown user costs the same time as a wrong password.
 */
export const authRoutes: FastifyPluginAsyncTypebox<{ hub: HubServices }> = async (app, { hub }) => {
  const { users, loginByIp, loginByUser } = hub.auth;

  app.post(
    '/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Log in with user name and password (登录)',
        body: Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 200 }) }),
        response: { 200: Type.Object({ token: Type.String(), expiresMs: Type.Number(), user: UserBody }), 401: ErrorBody, 429: ErrorBody },
      },
    },
    async (req, reply) => {
      const now = hub.now();
      const ipKey = `ip:${req.ip}`;
      const userKey = `user:${req.body.username.toLowerCase()}`;
      const wait = Math.max(loginByIp.retryAfterSec(ipKey, now), loginByUser.retryAfterSec(userKey, now));
      if (wait > 0) {
        reply.header('retry-after', String(wait));
        throw new HubError('HUB_ERR_LOGIN_RATE', [wait]);
      }
      const user = await users.verify(req.body.username, req.body.password);
      if (!user) {
        loginByIp.hit(ipKey, now);
        loginByUser.hit(userKey, now);
        throw new HubError('HUB_ERR_LOGIN');
      }
      loginByUser.reset(userKey);
      const session = await users.openSession(user);
      reply.setCookie(SESSION_COOKIE, session.token, {
        httpOnly: true, sameSite: 'lax', path: '/', secure: hub.auth.cookieSecure, expires: new Date(session.expiresMs),
      });
      return { token: session.token, expiresMs: session.expiresMs, user };
    },
  );

  app.post('/logout', { schema: { tags: ['auth'], summary: 'End this session (退出)', response: { 200: Type.Object({ ok: Type.Boolean() }) } } }, async (req, reply) => {
    const token = sessionToken(req.headers);
    if (token) await users.closeSession(token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true };
  });

  app.get('/me', { schema: { tags: ['auth'], summary: 'Who is logged in, and what they see', response: { 200: Me } } }, async (req) => {
    const { user } = sessionOf(req);
    const r = realtimeUserOf(user);
    return { user, gridIds: r.gridIds, department: r.department };
  });
};
