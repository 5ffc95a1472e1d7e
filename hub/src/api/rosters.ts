import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { HubError } from '@gridhub/core';
import { dutyAssignee } from '@gridhub/rules';
import { ANY_SESSION, forbidden, roles, scopedGrids, seesGrid, sessionOf } from '../auth/index.ts';

const EDITORS = roles('admin', 'operator', 'grid_leader');
import type { HubServices } from '../services.ts';
import { ErrorBody } from './errors.ts';

const Id = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' });
const Ms = Type.Integer({ minimum: 0 });
const Shift = Type.Object({ gridId: Id, wardenId: Id, fromMs: Ms, toMs: Ms }, { additionalProperties: false });

/**
 * Duty rosters (值班表) per grid: shifts, who is on duty at a time (the warden a new ticket is
 * dispatched to, else the grid leader). Grid leaders edit their own grid's; operators and admins all.
 */
export const rostersRoutes: FastifyPluginAsyncTypebox<{ hub: HubServices }> = async (app, { hub }) => {
  const tickets = hub.rules.tickets;

  app.get(
    '/',
    {
      config: { access: ANY_SESSION },
      schema: {
        tags: ['rosters'],
        summary: 'Shifts overlapping [from, to) (default: the next 7 days), of one grid or every grid you see',
        querystring: Type.Object({ grid: Type.Optional(Id), from: Type.Optional(Ms), to: Type.Optional(Ms) }),
      },
    },
    async (req) => {
      const fromMs = req.query.from ?? hub.now();
      const toMs = req.query.to ?? fromMs + 7 * 86_400_000;
      const grids = scopedGrids(sessionOf(req).scope);
      return tickets.listShifts(req.query.grid ? { gridId: req.query.grid, fromMs, toMs } : { gridIds: grids ?? undefined, fromMs, toMs });
    },
  );

  app.get(
    '/:grid/duty',
    { config: { access: ANY_SESSION }, schema: { tags: ['rosters'], summary: 'Who is on duty in a grid at a time (default now)', params: Type.Object({ grid: Id }), querystring: Type.Object({ at: Type.Optional(Ms) }) } },
    async (req) => {
      const atMs = req.query.at ?? hub.now();
      const choice = dutyAssignee(await tickets.shifts(req.params.grid, atMs), await hub.store.listWardens(req.params.grid), req.params.grid, atMs);
      return { gridId: req.params.grid, atMs, ...choice };
    },
  );

  app.post(
    '/',
    { config: { access: EDITORS }, schema: { tags: ['rosters'], summary: 'Add or extend shifts', body: Type.Object({ shifts: Type.Array(Shift, { minItems: 1, maxItems: 1000 }) }), response: { 400: ErrorBody, 403: ErrorBody } } },
    async (req) => {
      const { scope } = sessionOf(req);
      for (const s of req.body.shifts) {
        if (!seesGrid(scope, s.gridId)) throw forbidden(`edit the roster of grid ${s.gridId}`);
        if (s.toMs <= s.fromMs) throw new HubError('HUB_ERR_VALIDATION', ['a shift ends after it starts']);
        if (!(await hub.store.listWardens(s.gridId)).some((w) => w.id === s.wardenId)) throw new HubError('HUB_ERR_VALIDATION', [`${s.wardenId} is not a warden of grid ${s.gridId}`]);
      }
      await tickets.addShifts(req.body.shifts);
      return { added: req.body.shifts.length };
    },
  );

  app.delete(
    '/:grid/:warden/:fromMs',
    { config: { access: EDITORS }, schema: { tags: ['rosters'], summary: 'Remove one shift', params: Type.Object({ grid: Id, warden: Id, fromMs: Ms }), response: { 404: ErrorBody } } },
    async (req) => {
      const p = req.params;
      if (!(await tickets.removeShift({ gridId: p.grid, wardenId: p.warden, fromMs: p.fromMs }))) throw new HubError('HUB_ERR_NOT_FOUND', ['shift']);
      return { ok: true };
    },
  );
};
