import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { DEVICE_KINDS, KPI_PERIODS, type KpiPeriod } from '@gridhub/core';
import { kpiBy } from '@gridhub/rules';
import { ANY_SESSION, scopedTicketFilter, sessionOf } from '../auth/index.ts';
import type { HubServices } from '../services.ts';

const HOUR_MS = 3_600_000;
const MAX_TICKETS = 100_000;

/**
 * KPIs (考核指标) over the tickets created in a period (24h, 7d, 30d) that you may see: closure
 * rate (办结率), on-time rate, and the mean and median time to accept, arrive and close, grouped
 * by grid, estate, device kind, warden or time bucket (hours for 24h, days otherwise).
 */
export const kpisRoutes: FastifyPluginAsyncTypebox<{ hub: HubServices }> = async (app, { hub }) => {
  app.get(
    '/',
    {
      config: { access: ANY_SESSION },
      schema: {
        tags: ['kpis'],
        summary: 'Closure rate, on-time rate, times to accept / arrive / close, by grid, estate, kind, warden or period',
        querystring: Type.Object({
          period: Type.Union(Object.keys(KPI_PERIODS).map((p) => Type.Literal(p)), { default: '7d' }),
          by: Type.Union(['all', 'grid', 'estate', 'kind', 'warden', 'period'].map((b) => Type.Literal(b)), { default: 'all' }),
          grid: Type.Optional(Type.String()),
          estate: Type.Optional(Type.String()),
          kind: Type.Optional(Type.Union(DEVICE_KINDS.map((k) => Type.Literal(k)))),
        }),
      },
    },
    async (req) => {
      const q = req.query;
      const periodMs = KPI_PERIODS[q.period as KpiPeriod];
      const nowMs = hub.now();
      const sinceMs = nowMs - periodMs;
      const filter = scopedTicketFilter(sessionOf(req).scope, { gridId: q.grid, estateId: q.estate, deviceKind: q.kind, sinceMs, limit: MAX_TICKETS });
      const tickets = await hub.rules.tickets.list(filter);
      const bucketMs = q.period === '24h' ? HOUR_MS : 24 * HOUR_MS;
      return {
        period: q.period, by: q.by, sinceMs, untilMs: nowMs, bucketMs: q.by === 'period' ? bucketMs : null,
        groups: kpiBy(tickets, q.by as Parameters<typeof kpiBy>[1], { periodMs: bucketMs, sla: hub.rules.tickets.sla }),
      };
    },
  );
};
