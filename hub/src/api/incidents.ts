import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { DEPARTMENTS, HubError, mayTake, type Department, type IncidentAction, type User } from '@gridhub/core';
import type { IncidentCommand } from '@gridhub/rules';
import { ANY_SESSION, forbidden, roles, sessionOf, type RouteAccess } from '../auth/index.ts';
import type { HubServices } from '../services.ts';
import { ErrorBody } from './errors.ts';

const Id = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$' });
const Note = Type.String({ maxLength: 2000 });

/**
 * Incidents (a confirmed fire: two or more smoke alarms of one building): the incident with its
 * tickets, and one POST per incident action; every open ticket of the incident follows
 * (@gridhub/rules `incidentPlan`): acknowledge (接警), dispatch to one warden (派单), escalate to
 * a department (吹哨).
 */
interface IncidentRoute<S extends TSchema> {
  action: IncidentAction;
  summary: string;
  body: S;
  toCommand(b: Static<S>): IncidentCommand;
}
const route = <S extends TSchema>(r: IncidentRoute<S>) => r as unknown as IncidentRoute<TSchema>;

export const INCIDENT_ROUTES: Record<string, IncidentRoute<TSchema>> = {
  acknowledge: route({ action: 'acknowledge', summary: 'Acknowledge every alarm of the incident (接警)', body: Type.Object({ note: Type.Optional(Note) }), toCommand: (b) => ({ type: 'acknowledge', note: b.note }) }),
  dispatch: route({
    action: 'dispatch', summary: 'Dispatch the whole incident to one warden of its grid (派单)',
    body: Type.Object({ assigneeId: Id, note: Type.Optional(Note) }),
    toCommand: (b) => ({ type: 'dispatch', assigneeId: b.assigneeId, note: b.note }),
  }),
  escalate: route({
    action: 'whistle', summary: 'Escalate the whole incident to a department (吹哨)',
    body: Type.Object({ department: Type.Union(DEPARTMENTS.map((d) => Type.Literal(d))), note: Type.Optional(Note) }),
    toCommand: (b) => ({ type: 'whistle', department: b.department as Department, note: b.note }),
  }),
};

/** Roles of a person action, as the route's access declaration. */
const accessOf = (action: IncidentAction): RouteAccess => roles(...(['admin', 'operator', 'grid_leader', 'warden', 'department', 'community_officer', 'street_officer'] as const).filter((r) => mayTake(r, action)));

export const incidentsRoutes: FastifyPluginAsyncTypebox<{ hub: HubServices }> = async (app, { hub }) => {
  const rules = hub.rules;
  const load = async (id: string) => {
    const incident = await rules.tickets.incident(id);
    if (!incident) throw new HubError('HUB_ERR_INCIDENT_NOT_FOUND', [id]);
    return incident;
  };

  app.get(
    '/:id',
    {
      config: { access: ANY_SESSION },
      schema: { tags: ['tickets'], summary: 'One incident with its tickets', params: Type.Object({ id: Id }), response: { 403: ErrorBody, 404: ErrorBody } },
    },
    async (req) => {
      const incident = await load(req.params.id);
      return { incident, tickets: await rules.tickets.list({ incidentId: incident.id, limit: 1000 }) };
    },
  );

  for (const [name, r] of Object.entries(INCIDENT_ROUTES)) {
    app.post(
      `/:id/${name}`,
      {
        config: { access: accessOf(r.action) },
        schema: { tags: ['tickets'], summary: r.summary, params: Type.Object({ id: Id }), body: r.body, response: { 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody } },
      },
      async (req) => {
        const { user } = sessionOf(req);
        checkRole(user, r.action);
        const incident = await load(req.params.id);
        const cmd = r.toCommand(req.body as Static<typeof r.body>);
        if (cmd.type === 'dispatch' && !(await hub.store.listWardens(incident.gridId)).some((w) => w.id === cmd.assigneeId)) {
          throw new HubError('HUB_ERR_VALIDATION', [`${cmd.assigneeId} is not a warden of grid ${incident.gridId}`]);
        }
        const tickets = await rules.engine.actIncident(incident.id, cmd, { id: user.id, role: user.role });
        return { incident, tickets };
      },
    );
  }
};

function checkRole(user: User, action: IncidentAction): void {
  if (!mayTake(user.role, action)) throw forbidden(`${action} incidents`);
}

/** Who owns an incident, for the scope check: its grid, and the department its tickets went to. */
export async function incidentOwner(hub: HubServices, id: string): Promise<{ gridId: string; department: Department | null } | undefined> {
  const incident = await hub.rules.tickets.incident(id);
  if (!incident) return undefined;
  const tickets = await hub.rules.tickets.list({ incidentId: id, limit: 1000 });
  return { gridId: incident.gridId, department: tickets.find((t) => t.department)?.department ?? null };
}
