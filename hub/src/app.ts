import Fastify, { LogController, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { HubError } from '@gridhub/core';
import { deviceModelsRoutes } from './api/device-models.ts';
import { devicesRoutes } from './api/devices.ts';
import { errorsPlugin } from './api/errors.ts';
import { healthRoutes } from './api/health.ts';
import { metricsRoutes } from './api/metrics.ts';
import { refusalsRoutes } from './api/refusals.ts';
import { siteRoutes } from './api/site.ts';
import { staticRoutes } from './api/static.ts';
import { authRoutes } from './api/auth.ts';
import { kpisRoutes } from './api/kpis.ts';
import { rostersRoutes } from './api/rosters.ts';
import { rulesRoutes } from './api/rules.ts';
import { silencesRoutes } from './api/silences.ts';
import { ticketsRoutes } from './api/tickets.ts';
import { photosRoutes } from './api/photos.ts';
import { incidentOwner, incidentsRoutes } from './api/incidents.ts';
import { usersRoutes } from './api/users.ts';
import { authPlugin, publicRoutes } from './auth/index.ts';
import { securityHeaders } from './auth/headers.ts';
import { ingestRoutes } from './api/ingest.ts';
import { notifyRoutes, ticketPagesRoutes } from './api/notify.ts';
import { adminSiteRoutes } from './api/admin-site.ts';
import { adminOpsRoutes } from './api/admin-ops.ts';
import { auditHook } from './admin/audit.ts';
import type { HubServices } from './services.ts';

/**
 * The HTTP API: one plugin per resource, registered with a prefix; a schema on every route;
 * OpenAPI at /docs. Tests drive it with `app.inject()`; main.ts listens on HUB_HTTP_PORT.
 */
export async function buildApp(hub: HubServices, opts: { logLevel?: string } = {}): Promise<FastifyInstance> {
  const app = Fastify({
    // HUB_TRUST_PROXY: the client's address from X-Forwarded-For only behind proxies we were told of.
    trustProxy: hub.config.trustProxy ?? false,
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
        { name: 'auth', description: 'Log in and out (登录): session cookie or Bearer token' },
        { name: 'users', description: 'Users and roles (用户)' },
        { name: 'tickets', description: 'Tickets (工单): list, detail with history, one POST per action' },
        { name: 'rules', description: 'The rule set (规则), YAML' },
        { name: 'silences', description: 'Silences and maintenance windows (屏蔽)' },
        { name: 'rosters', description: 'Duty rosters per grid (值班表)' },
        { name: 'kpis', description: 'Closure rate and times (考核指标)' },
        { name: 'admin', description: 'Administration (管理): site editing and import, device secrets, audit log (审计), rule versions and dry runs' },
        { name: 'ingest', description: 'Carrier platforms (CTWing, OneNET) and camera boxes pushing uplinks (docs/devices.md)' },
        { name: 'device-models', description: 'Device models (设备型号) and their codecs' },
        { name: 'notify', description: 'Notifications (通知): channels, routes, deliveries, dead letters, web push' },
      ],
    },
  });
  await app.register(errorsPlugin);
  await securityHeaders(app, { https: hub.config.cookieSecure });
  // Every route declares its access (config.access), checked on the matched route; scope before any handler.
  await app.register(authPlugin, {
    users: hub.auth.users,
    gridsIn: (place) => hub.store.gridIdsIn(place),
    resources: [
      { prefix: '/api/tickets', kind: 'ticket', owner: async (id) => hub.rules.tickets.get(id), notFound: (id) => new HubError('HUB_ERR_TICKET_NOT_FOUND', [id]) },
      { prefix: '/api/incidents', kind: 'ticket', owner: async (id) => incidentOwner(hub, id), notFound: (id) => new HubError('HUB_ERR_INCIDENT_NOT_FOUND', [id]) },
      { prefix: '/api/devices', kind: 'device', owner: async (id) => { const d = await hub.store.deviceInfo(id); return d && { gridId: d.place.grid, department: null }; }, notFound: (id) => new HubError('HUB_ERR_NOT_FOUND', [`device ${id}`]) },
    ],
    gridFilteredLists: ['/api/devices'],
    allowedOrigins: hub.auth.allowedOrigins,
  });
  // every state-changing request is in the audit log before its answer is sent
  auditHook(app, hub.admin.audit, () => hub.now(), (err) => app.log.error({ err }, 'audit log write failed'));
  await app.register(publicRoutes(swaggerUi, { routePrefix: '/docs' }));
  await app.register(healthRoutes, { prefix: '/api/health', hub });
  await app.register(siteRoutes, { prefix: '/api/site', hub });
  await app.register(devicesRoutes, { prefix: '/api/devices', hub });
  await app.register(refusalsRoutes, { prefix: '/api/refusals', hub });
  await app.register(authRoutes, { prefix: '/api/auth', hub });
  await app.register(usersRoutes, { prefix: '/api/users', hub });
  await app.register(ticketsRoutes, { prefix: '/api/tickets', hub });
  await app.register(photosRoutes, { prefix: '/api/tickets', hub });
  await app.register(incidentsRoutes, { prefix: '/api/incidents', hub });
  await app.register(rulesRoutes, { prefix: '/api/rules', hub });
  await app.register(silencesRoutes, { prefix: '/api/silences', hub });
  await app.register(rostersRoutes, { prefix: '/api/rosters', hub });
  await app.register(kpisRoutes, { prefix: '/api/kpis', hub });
  await app.register(ingestRoutes, { prefix: '/api/ingest', hub });
  await app.register(adminSiteRoutes, { prefix: '/api/admin/site', hub });
  await app.register(adminOpsRoutes, { prefix: '/api/admin', hub });
  await app.register(deviceModelsRoutes, { prefix: '/api/device-models', codecs: hub.codecs });
  await app.register(notifyRoutes, { prefix: '/api/notify', hub });
  await app.register(ticketPagesRoutes, { prefix: '/api/tickets', hub });
  await app.register(metricsRoutes, { hub });
  // Last: the dashboard (desk /, wall /wall, phone /m) from dashboard/dist, SPA fallback outside /api.
  await app.register(staticRoutes);
  return app;
}
