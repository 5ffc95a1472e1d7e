import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { HubError, type Silence } from '@gridhub/core';
import type { StoredSilence } from '@gridhub/rules';
import { ANY_SESSION, roles, seesGrid, sessionOf, type AccessScope } from '../auth/index.ts';

const STAFF = roles('admin', 'operator');
import type { HubServices } from '../services.ts';
import { ErrorBody } from './errors.ts';
import { placeGrids } from './places.ts';

const Id = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' });
const Time = Type.Union([Type.Integer({ minimum: 0 }), Type.String({ format: 'date-time' })]);
const SilenceBody = Type.Object(
  {
    estate: Type.Optional(Id),
    building: Type.Optional(Id),
    device: Type.Optional(Id),
    rules: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1 })),
    from: Time,
    to: Time,
    reason: Type.String({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
);
type SilenceInput = { estate?: string; building?: string; device?: string; rules?: string[]; from: number | string; to: number | string; reason: string };

const ms = (t: number | string): number => (typeof t === 'number' ? t : Date.parse(t));

/**
 * Silences / maintenance windows (屏蔽) per device, building or estate, optionally for some rules:
 * alarms are still recorded, nobody is paged. Stored in the database; every change is in force at
 * once. Operators and admins edit; everyone reads the silences of what they may see.
 */
export const silencesRoutes: FastifyPluginAsyncTypebox<{ hub: HubServices }> = async (app, { hub }) => {
  const cfg = hub.rules.config;

  async function visible(scope: AccessScope, list: StoredSilence[]): Promise<StoredSilence[]> {
    if (scope.kind === 'all') return list;
    const grids = await placeGrids(hub, list.map((s) => s.scope));
    return list.filter((_, i) => seesGrid(scope, grids[i] ?? ''));
  }

  function toSilence(id: string, b: SilenceInput, by: string, nowMs: number): StoredSilence {
    const places = [b.estate, b.building, b.device].filter((x) => x !== undefined);
    if (places.length !== 1) throw new HubError('HUB_ERR_VALIDATION', ['a silence needs exactly one of estate, building, device']);
    const fromMs = ms(b.from);
    const toMs = ms(b.to);
    if (!(toMs > fromMs)) throw new HubError('HUB_ERR_VALIDATION', ['to must be after from']);
    const scope: Silence['scope'] = b.estate ? { estate: b.estate } : b.building ? { building: b.building } : { device: b.device! };
    return { id, scope, ruleIds: b.rules ?? null, fromMs, toMs, reason: b.reason, createdBy: by, createdMs: nowMs };
  }

  app.get(
    '/',
    { config: { access: ANY_SESSION }, schema: { tags: ['silences'], summary: 'Silences you may see; `active` keeps those not over yet', querystring: Type.Object({ active: Type.Boolean({ default: true }) }) } },
    async (req) => visible(sessionOf(req).scope, await cfg.silences(req.query.active ? hub.now() : undefined)),
  );

  app.get('/:id', { config: { access: ANY_SESSION }, schema: { tags: ['silences'], summary: 'One silence', params: Type.Object({ id: Id }), response: { 404: ErrorBody } } }, async (req) => {
    const s = await cfg.silence(req.params.id);
    const seen = s ? await visible(sessionOf(req).scope, [s]) : [];
    if (!seen.length) throw new HubError('HUB_ERR_NOT_FOUND', [`silence ${req.params.id}`]);
    return seen[0];
  });

  app.post('/', { config: { access: STAFF }, schema: { tags: ['silences'], summary: 'Create a silence (operator, admin)', body: SilenceBody, response: { 201: Type.Unknown(), 400: ErrorBody, 403: ErrorBody } } }, async (req, reply) => {
    const { user } = sessionOf(req);
    const s = toSilence(randomUUID(), req.body, user.id, hub.now());
    await cfg.putSilence(s);
    await hub.rules.reloadSilences();
    return reply.status(201).send(s);
  });

  app.put('/:id', { config: { access: STAFF }, schema: { tags: ['silences'], summary: 'Replace a silence (operator, admin)', params: Type.Object({ id: Id }), body: SilenceBody, response: { 404: ErrorBody } } }, async (req) => {
    const { user } = sessionOf(req);
    if (!(await cfg.silence(req.params.id))) throw new HubError('HUB_ERR_NOT_FOUND', [`silence ${req.params.id}`]);
    const s = toSilence(req.params.id, req.body, user.id, hub.now());
    await cfg.putSilence(s);
    await hub.rules.reloadSilences();
    return s;
  });

  app.delete('/:id', { config: { access: STAFF }, schema: { tags: ['silences'], summary: 'End a silence now (operator, admin)', params: Type.Object({ id: Id }), response: { 404: ErrorBody } } }, async (req) => {
    if (!(await cfg.deleteSilence(req.params.id))) throw new HubError('HUB_ERR_NOT_FOUND', [`silence ${req.params.id}`]);
    await hub.rules.reloadSilences();
    return { ok: true };
  });
};
