import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { DEFAULT_LIVENESS, DEVICE_KINDS, HubError, LIVENESS, livenessOf, type DeviceInfo, type DeviceState } from '@gridhub/core';
import { ANY_SESSION, scopedGrids, sessionOf } from '../auth/index.ts';
import type { HubServices } from '../services.ts';
import { roles } from '../auth/access.ts';
import { requireRole } from '../auth/plugin.ts';
import { ErrorBody } from './errors.ts';

const Kind = Type.Union(DEVICE_KINDS.map((k) => Type.Literal(k)));
const DeviceId = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' }) });
/** A time as epoch milliseconds or an ISO 8601 string. */
const Time = Type.String({ pattern: '^(\\d{10,14}|\\d{4}-\\d{2}-\\d{2}.*)$', description: 'epoch ms or ISO 8601' });

function parseTime(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new HubError('HUB_ERR_VALIDATION', [`bad time ${value}`]);
  return ms;
}

export function deviceView(info: DeviceInfo, state: DeviceState | undefined, nowMs: number) {
  return {
    ...info,
    state: state ?? null,
    liveness: livenessOf(DEFAULT_LIVENESS[info.kind], state?.lastSeenMs ?? null, state?.connected ?? null, nowMs),
  };
}

/** Devices (设备): list with filters, one device with its place, state and latest reading, history, refusals. */
export const devicesRoutes: FastifyPluginAsyncTypebox<{ hub: HubServices }> = async (app, { hub }) => {
  app.get(
    '/',
    {
      config: { access: ANY_SESSION },
      schema: {
        tags: ['devices'],
        summary: 'List devices with filters',
        querystring: Type.Object({
          kind: Type.Optional(Kind),
          grid: Type.Optional(Type.String()),
          estate: Type.Optional(Type.String()),
          building: Type.Optional(Type.String()),
          connected: Type.Optional(Type.Boolean()),
          battery_below: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
          silent_since: Type.Optional(Time),
          state: Type.Optional(Type.Union(LIVENESS.map((l) => Type.Literal(l)), { description: 'liveness: online, late, offline, unknown' })),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
          offset: Type.Integer({ minimum: 0, default: 0 }),
        }),
      },
    },
    async (req) => {
      const q = req.query;
      const { total, items } = await hub.store.listDevices({
        kind: q.kind,
        gridId: q.grid,
        gridIds: q.grid === undefined ? (scopedGrids(sessionOf(req).scope) ?? undefined) : undefined,
        estateId: q.estate,
        buildingId: q.building,
        connected: q.connected,
        batteryBelowPct: q.battery_below,
        silentSinceMs: q.silent_since === undefined ? undefined : parseTime(q.silent_since, 0),
        liveness: q.state === undefined ? undefined : { level: q.state, nowMs: hub.now(), policy: DEFAULT_LIVENESS },
        limit: q.limit,
        offset: q.offset,
      });
      const now = hub.now();
      const states = await hub.store.deviceStates(items.map((d) => d.id));
      return { total, items: items.map((d) => deviceView(d, states.get(d.id), now)) };
    },
  );

  app.get(
    '/unclaimed',
    {
      config: { access: roles('admin', 'operator') },
      schema: {
        tags: ['devices'],
        summary: 'Network identities (DevEUI, IMEI, platform id) that sent uplinks but are in no device of the site, most recent first',
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) }),
      },
    },
    async (req) => {
      requireRole(req, ['admin', 'operator'], 'list unclaimed devices');
      const items = await hub.store.listUnclaimed({ limit: req.query.limit });
      return { total: items.length, items };
    },
  );

  app.get(
    '/:id',
    { config: { access: ANY_SESSION }, schema: { tags: ['devices'], summary: 'One device: place, state, liveness, latest reading', params: DeviceId, response: { 404: ErrorBody } } },
    async (req) => {
      const info = await hub.store.deviceInfo(req.params.id);
      if (!info) throw new HubError('HUB_ERR_NOT_FOUND', [`device ${req.params.id}`]);
      return deviceView(info, await hub.store.deviceState(info.id), hub.now());
    },
  );

  app.get(
    '/:id/history',
    {
      config: { access: ANY_SESSION },
      schema: {
        tags: ['devices'],
        summary: "A device's readings of one field, downsampled to a point budget (mean per bucket)",
        params: DeviceId,
        querystring: Type.Object({
          field: Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' }),
          from: Type.Optional(Time),
          to: Type.Optional(Time),
          points: Type.Integer({ minimum: 1, maximum: 5000, default: 300 }),
        }),
        response: { 404: ErrorBody },
      },
    },
    async (req) => {
      const info = await hub.store.deviceInfo(req.params.id);
      if (!info) throw new HubError('HUB_ERR_NOT_FOUND', [`device ${req.params.id}`]);
      const toMs = parseTime(req.query.to, hub.now());
      const fromMs = parseTime(req.query.from, toMs - 24 * 3600_000);
      if (fromMs >= toMs) throw new HubError('HUB_ERR_VALIDATION', ['from must be before to']);
      return hub.history({ deviceId: info.id, field: req.query.field, fromMs, toMs, maxPoints: req.query.points });
    },
  );

  app.get(
    '/:id/refusals',
    {
      config: { access: ANY_SESSION },
      schema: {
        tags: ['devices'],
        summary: "A device's refused messages, newest first, with the coded reason",
        params: DeviceId,
        querystring: Type.Object({
          code: Type.Optional(Type.String({ pattern: '^HUB_ERR_[A-Z_]+$' })),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
        }),
      },
    },
    async (req) => {
      const filter = { deviceId: req.params.id, code: req.query.code };
      const [total, items] = await Promise.all([hub.store.countRefusals(filter), hub.store.listRefusals({ ...filter, limit: req.query.limit })]);
      return { total, items };
    },
  );
};
