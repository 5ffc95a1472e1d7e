import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { HubError, isHubError } from '@gridhub/core';
import { isStoreUnavailable } from '@gridhub/store';

/** Seconds a client is asked to wait before retrying while the store is away. */
export const STORE_RETRY_AFTER_S = 5;

/** The HTTP boundary: every error leaves as `{ code, message }` with a HUB_ERR_* code. */
export const errorsPlugin = fp(async (app: FastifyInstance) => {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (isHubError(err)) return reply.status(err.status).send(err.toJSON());
    if (err.validation) {
      const e = new HubError('HUB_ERR_VALIDATION', [err.message], err.validation.map((v) => ({ path: v.instancePath, reason: v.message })));
      return reply.status(e.status).send(e.toJSON());
    }
    if (typeof err.statusCode === 'number' && err.statusCode < 500) {
      const e = new HubError('HUB_ERR_VALIDATION', [err.message]);
      return reply.status(err.statusCode).send(e.toJSON());
    }
    if (isStoreUnavailable(err)) {
      req.log.warn({ err: err.message }, 'store unavailable');
      return reply.status(503).header('retry-after', String(STORE_RETRY_AFTER_S)).send(new HubError('HUB_ERR_STORE_UNAVAILABLE').toJSON());
    }
    req.log.error({ err }, 'unhandled error');
    return reply.status(500).send(new HubError('HUB_ERR_INTERNAL').toJSON());
  });
  app.setNotFoundHandler((req, reply) => {
    const e = new HubError('HUB_ERR_NOT_FOUND', [`${req.method} ${req.url.split('?')[0]}`]);
    return reply.status(404).send(e.toJSON());
  });
});

export const ErrorBody = {
  type: 'object',
  properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
  required: ['code', 'message'],
} as const;
