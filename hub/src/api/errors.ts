import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { HubError, isHubError } from '@gridhub/core';

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
