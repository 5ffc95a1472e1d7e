import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import {
  ACTION_ROLES, DEPARTMENTS, DEVICE_KINDS, HubError, mayTake, PHASES, PRIORITIES, TICKET_STATUSES, type PersonAction, type Ticket, type TicketAction, type User,
} from '@gridhub/core';
import { ticketTimers } from '@gridhub/rules';
import { ANY_SESSION, forbidden, roles, scopedTicketFilter, sessionOf } from '../auth/index.ts';
import type { HubServices } from '../services.ts';
import { ErrorBody } from './errors.ts';
import { foreignPhotos, PHOTO_URL } from './photos.ts';

const Id = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$' });
const Note = Type.String({ maxLength: 2000 });
const lit = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

/** A photo the hub keeps, by its URL under the ticket (POST /api/tickets/:id/photos answers it). */
const Photo = Type.String({ maxLength: 300, pattern: PHOTO_URL.source });

/**
 * One POST route per person action: its URL name, its body, and how the body becomes the
 * lifecycle action. The lifecycle table (@gridhub/rules) refuses illegal transitions
 * (HUB_ERR_TICKET_TRANSITION, 409); roles are checked with core's ACTION_ROLES.
 */
interface ActionRoute<S extends TSchema> {
  action: PersonAction;
  summary: string;
  body: S;
  toAction(b: Static<S>): TicketAction;
  /**
   * The words the action must carry (not blank): refused with HUB_ERR_TICKET_NOTE_REQUIRED before
   * the lifecycle sees it, so the caller learns what is missing rather than "cannot close".
   */
  requires?: { field: 'note' | 'reason'; what: string };
  /** Targets a warden who must belong to the grid (dispatch, transfer). */
  target?(b: Static<S>, t: Ticket): { gridId: string; assigneeId: string };
}
const route = <S extends TSchema>(r: ActionRoute<S>) => r as unknown as ActionRoute<TSchema>;

export const ACTION_ROUTES: Record<string, ActionRoute<TSchema>> = {
  acknowledge: route({
    action: 'acknowledge', summary: 'Acknowledge the alarm (接警): the desk stops sounding; apart from dispatch',
    body: Type.Object({ note: Type.Optional(Note) }),
    toAction: (b) => ({ type: 'acknowledge', note: b.note }),
  }),
  dispatch: route({
    action: 'dispatch', summary: 'Dispatch to a warden of the grid (派单)',
    body: Type.Object({ assigneeId: Id, note: Type.Optional(Note) }),
    toAction: (b) => ({ type: 'dispatch', assigneeId: b.assigneeId, note: b.note }),
    target: (b, t) => ({ gridId: t.gridId, assigneeId: b.assigneeId }),
  }),
  accept: route({ action: 'accept', summary: 'Accept (接单)', body: Type.Object({ note: Type.Optional(Note) }), toAction: (b) => ({ type: 'accept', note: b.note }) }),
  arrive: route({ action: 'arrive', summary: 'Arrived on site (到场)', body: Type.Object({ note: Type.Optional(Note) }), toAction: (b) => ({ type: 'arrive', note: b.note }) }),
  resolve: route({
    action: 'resolve', summary: 'Resolved, with a note and photos (处置完成)',
    body: Type.Object({ note: Type.Optional(Note), photos: Type.Optional(Type.Array(Photo, { maxItems: 6 })) }),
    requires: { field: 'note', what: 'a note of what was done' },
    toAction: (b) => ({ type: 'resolve', note: b.note ?? '', photos: b.photos }),
  }),
  close: route({
    action: 'close', summary: 'Verify and close (核查办结), with a note of what the verification found (required)',
    body: Type.Object({ note: Type.Optional(Note) }),
    requires: { field: 'note', what: 'a note of what was verified' },
    toAction: (b) => ({ type: 'close', note: b.note ?? '' }),
  }),
  return: route({
    action: 'return', summary: 'Return with a reason (退单, required)', body: Type.Object({ reason: Type.Optional(Note) }),
    requires: { field: 'reason', what: 'a reason' },
    toAction: (b) => ({ type: 'return', reason: b.reason ?? '' }),
  }),
  transfer: route({
    action: 'transfer', summary: 'Transfer to another grid or warden (流转)',
    body: Type.Object({ gridId: Id, assigneeId: Id, note: Type.Optional(Note) }),
    toAction: (b) => ({ type: 'transfer', gridId: b.gridId, assigneeId: b.assigneeId, note: b.note }),
    target: (b) => ({ gridId: b.gridId, assigneeId: b.assigneeId }),
  }),
  escalate: route({
    action: 'whistle', summary: 'Escalate to a department (吹哨)',
    body: Type.Object({ department: lit(DEPARTMENTS), note: Type.Optional(Note) }),
    toAction: (b) => ({ type: 'whistle', department: b.department, note: b.note }),
  }),
  reopen: route({
    action: 'reopen', summary: 'Reopen: verification failed (重新派单), with the reason (required)', body: Type.Object({ reason: Type.Optional(Note) }),
    requires: { field: 'reason', what: 'the reason verification failed' },
    toAction: (b) => ({ type: 'reopen', reason: b.reason ?? '' }),
  }),
};

/** Actions a warden takes only on a ticket in their own hands. */
const ASSIGNEE_ONLY: readonly PersonAction[] = ['accept', 'arrive', 'resolve', 'return'];

function checkActor(user: User, r: ActionRoute<TSchema>, t: Ticket): void {
  if (!mayTake(user.role, r.action)) throw forbidden(`${r.action} tickets`);
  if (user.role === 'warden' && ASSIGNEE_ONLY.includes(r.action) && t.assigneeId !== user.id) throw forbidden(`${r.action} a ticket assigned to someone else`);
}

/** The SLA deadlines of a ticket's current dispatch (null: not dispatched, or that phase is over). */
export function deadlines(t: Ticket, timers: ReturnType<typeof ticketTimers>) {
  const out: Record<string, number | null> = Object.fromEntries(PHASES.map((p) => [p, null]));
  for (const x of timers) if (x.action.type === 'overdue') out[x.action.phase] = x.action.deadlineMs;
  return out;
}

/** Tickets (工单): list with filters, detail with history, occurrences and incident, one POST per action. */
export const ticketsRoutes: FastifyPluginAsyncTypebox<{ hub: HubServices }> = async (app, { hub }) => {
  const rules = hub.rules;
  const load = async (id: string): Promise<Ticket> => {
    const t = await rules.tickets.get(id);
    if (!t) throw new HubError('HUB_ERR_TICKET_NOT_FOUND', [id]);
    return t;
  };

  app.get(
    '/',
    {
      config: { access: ANY_SESSION },
      schema: {
        tags: ['tickets'],
        summary: 'Tickets in your scope, newest first, with filters',
        querystring: Type.Object({
          state: Type.Optional(Type.Array(lit(TICKET_STATUSES))),
          open: Type.Optional(Type.Boolean()),
          priority: Type.Optional(Type.Array(lit(PRIORITIES))),
          grid: Type.Optional(Type.String()),
          estate: Type.Optional(Type.String()),
          kind: Type.Optional(lit(DEVICE_KINDS)),
          device: Type.Optional(Type.String()),
          assignee: Type.Optional(Type.String()),
          incident: Type.Optional(Type.String()),
          overdue: Type.Optional(Type.Boolean()),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
          offset: Type.Integer({ minimum: 0, default: 0 }),
        }),
      },
    },
    async (req) => {
      const q = req.query;
      const filter = scopedTicketFilter(sessionOf(req).scope, {
        status: q.state, open: q.open, priority: q.priority, gridId: q.grid, estateId: q.estate, deviceKind: q.kind, deviceId: q.device,
        assigneeId: q.assignee, incidentId: q.incident, overdue: q.overdue,
      });
      const [total, items] = await Promise.all([rules.tickets.count(filter), rules.tickets.list({ ...filter, limit: q.limit, offset: q.offset })]);
      return { total, items };
    },
  );

  app.get(
    '/:id',
    { config: { access: ANY_SESSION }, schema: { tags: ['tickets'], summary: 'One ticket with its history, occurrences, incident and SLA deadlines', params: Type.Object({ id: Id }), response: { 403: ErrorBody, 404: ErrorBody } } },
    async (req) => {
      const ticket = await load(req.params.id);
      const [history, occurrences, incident] = await Promise.all([
        rules.tickets.transitions(ticket.id),
        rules.tickets.occurrences(ticket.id, 100),
        ticket.incidentId ? rules.tickets.incident(ticket.incidentId) : Promise.resolve(undefined),
      ]);
      // An incident's members are listed only as far as the caller may see them.
      const related = incident ? await rules.tickets.list(scopedTicketFilter(sessionOf(req).scope, { incidentId: incident.id, limit: 100 })) : [];
      return {
        ticket, history, occurrences, incident: incident ? { ...incident, ticketIds: related.map((t) => t.id) } : null,
        deadlines: deadlines(ticket, ticketTimers(ticket, rules.tickets.sla)),
      };
    },
  );

  for (const [name, r] of Object.entries(ACTION_ROUTES)) {
    app.post(
      `/:id/${name}`,
      {
        config: { access: roles(...ACTION_ROLES[r.action]) },
        schema: {
          tags: ['tickets'], summary: r.summary, params: Type.Object({ id: Id }), body: r.body,
          response: { 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
        },
      },
      async (req) => {
        const { user } = sessionOf(req);
        const t = await load(req.params.id);
        checkActor(user, r, t);
        const body = req.body as Static<typeof r.body>;
        const words = r.requires ? (body as Record<string, unknown>)[r.requires.field] : undefined;
        if (r.requires && (typeof words !== 'string' || !words.trim())) throw new HubError('HUB_ERR_TICKET_NOTE_REQUIRED', [r.action, r.requires.what]);
        const photos = (body as { photos?: string[] }).photos;
        const bad = photos ? await foreignPhotos(hub, t.id, photos) : [];
        if (bad.length) throw new HubError('HUB_ERR_VALIDATION', [`not a photo of this ticket: ${bad.join(', ')}`]);
        const target = r.target?.(body, t);
        if (target && !(await hub.store.listWardens(target.gridId)).some((w) => w.id === target.assigneeId)) {
          throw new HubError('HUB_ERR_VALIDATION', [`${target.assigneeId} is not a warden of grid ${target.gridId}`]);
        }
        const ticket = await rules.engine.act(t.id, r.toAction(body), { id: user.id, role: user.role });
        return { ticket };
      },
    );
  }
};
