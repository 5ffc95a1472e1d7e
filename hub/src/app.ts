import Fastify, { LogController, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { devicesRoutes } from './api/devices.ts';
import { errorsPlugin } from './api/errors.ts';
import { healthRoutes } from './api/health.ts';
import { metricsRoutes } from './api/metrics.ts';
import { refusalsRoutes } from './api/refusals.ts';
import { siteRoutes } from './api/site.ts';
import type { HubServices } from './services.ts';

/**
 * The HTTP API: one plugin per resource, registered with a prefix; a schema on every route;
 * OpenAPI at /docs. Tests drive it with `app.inject()`; main.ts listens on HUB_HTTP_PORT.
 */
export async function buildApp(hub: HubServices, opts: { logLevel?: string } = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: opts.logLevel ?? hub.config.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie'] },
    logController: new LogController({ disableRequestLogging: true }),
  }).withTypeProvider<TypeBoxTypeProvider>();

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'GridHub API',
        description: 'Smart-community IoT monitoring hub (智慧社区物联网监控平台): devices, readings, site, health.',
        version: '0.1.0',
      },
      tags: [
        { name: 'health', description: 'Readiness and metrics' },
        { name: 'site', description: 'The grid hierarchy (网格)' },
        { name: 'devices', description: 'Devices (设备), their state and readings' },
        { name: 'refusals', description: 'Refused device messages' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(errorsPlugin);
  await app.register(healthRoutes, { prefix: '/api/health', hub });
  await app.register(siteRoutes, { prefix: '/api/site', hub });
  await app.register(devicesRoutes, { prefix: '/api/devices', hub });
  await app.register(refusalsRoutes, { prefix: '/api/refusals', hub });
  await app.register(metricsRoutes, { hub });
  return app;
}
