import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { DEVICE_KIND_LABELS, DEVICE_KINDS, HubError, isHubError } from '@gridhub/core';
import { buildRuleSet, dryRun } from '@gridhub/rules';
import { roles, sessionOf } from '../auth/index.ts';
import { auditCsv } from '../admin/audit.ts';
import { monthlyReport, monthRange, reportXlsx } from '../admin/report.ts';
import { parseRuleSetText } from '../rules-engine.ts';
import type { HubServices } from '../services.ts';
import { ErrorBody } from './errors.ts';

const ADMIN = roles('admin');
const STAFF = roles('admin', 'operator');
const Id = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' });
const DAY_MS = 86_400_000;
const MAX_RULESET_BYTES = 512 * 1024;
/** Readings a dry run replays at most (the embedded telemetry of 7 days of a large site is more). */
const MAX_REPLAY = 500_000;

const AuditQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  user: Type.Optional(Type.String({ maxLength: 64 })),
  from: Type.Optional(Type.Integer({ minimum: 0 })),
  to: Type.Optional(Type.Integer({ minimum: 0 })),
  limit: Type.Integer({ minimum: 1, maximum: 10_000, default: 100 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
});

/** Every problem of a rule-set text, [] when it is valid (the same validation as PUT /api/rules). */
function ruleProblems(text: string): { path: string; reason: string }[] {
  try {
    buildRuleSet(parseRuleSetText(text));
    return [];
  } catch (err) {
    if (isHubError(err) && err.code === 'HUB_ERR_RULESET_INVALID') return ((err.details as { errors?: { path: string; reason: string }[] })?.errors ?? [{ path: '', reason: err.message }]);
    throw err;
  }
}

/**
 * Device secrets (admin), user passwords (admin), the audit log (admin), rule-set validation, dry
 * runs, versions and revert (operators and admins).
 */
export const adminOpsRoutes: FastifyPluginAsyncTypebox<{ hub: HubServices }> = async (app, { hub }) => {
  app.addContentTypeParser(['text/yaml', 'application/yaml', 'application/x-yaml', 'text/plain'], { parseAs: 'string', bodyLimit: MAX_RULESET_BYTES }, (_req, body, done) => done(null, body));
  const { admin } = hub;

  app.post(
    '/devices/:id/secret',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['admin'],
        summary: "Provision or rotate a device's secret: shown in this answer only (stored as its scrypt hash); the device's MQTT connection is dropped at once",
        params: Type.Object({ id: Id }),
        response: { 200: Type.Object({ deviceId: Type.String(), secret: Type.String() }), 404: ErrorBody },
      },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      return { deviceId: req.params.id, secret: await admin.provisionSecret(req.params.id) };
    },
  );

  app.delete(
    '/devices/:id/secret',
    { config: { access: ADMIN }, schema: { tags: ['admin'], summary: "Revoke a device's secret: nobody holds the new one; its connection is dropped at once", params: Type.Object({ id: Id }), response: { 200: Type.Object({ ok: Type.Boolean() }), 404: ErrorBody } } },
    async (req) => {
      await admin.revokeSecret(req.params.id);
      return { ok: true };
    },
  );

  app.put(
    '/users/:id/password',
    {
      config: { access: ADMIN },
      schema: { tags: ['admin'], summary: "Reset a user's password (admin): every session of theirs ends", params: Type.Object({ id: Id }), body: Type.Object({ password: Type.String({ minLength: 8, maxLength: 200 }) }), response: { 200: Type.Object({ ok: Type.Boolean() }), 404: ErrorBody } },
    },
    async (req) => {
      if (!(await hub.auth.users.get(req.params.id))) throw new HubError('HUB_ERR_NOT_FOUND', [`user ${req.params.id}`]);
      await hub.auth.users.setPassword(req.params.id, req.body.password);
      return { ok: true };
    },
  );

  app.get('/audit', { config: { access: ADMIN }, schema: { tags: ['admin'], summary: 'The audit log, newest first: search words, a user, a time range', querystring: AuditQuery } }, async (req) => {
    const q = req.query;
    return admin.audit.search({ q: q.q, user: q.user, fromMs: q.from, toMs: q.to, limit: q.limit, offset: q.offset });
  });

  app.get('/audit.csv', { config: { access: ADMIN }, schema: { tags: ['admin'], summary: 'The audit log as CSV (same filters)', querystring: AuditQuery } }, async (req, reply) => {
    const q = req.query;
    const { items } = await admin.audit.search({ q: q.q, user: q.user, fromMs: q.from, toMs: q.to, limit: q.limit, offset: q.offset });
    reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="audit.csv"');
    return auditCsv(items);
  });

  const RuleText = Type.String({ minLength: 1, maxLength: MAX_RULESET_BYTES });

  app.post(
    '/rules/validate',
    { config: { access: STAFF }, schema: { tags: ['admin'], summary: 'Validate a rule-set text as you type: every problem with its path (fields and events checked against each device kind’s contract)', body: RuleText } },
    async (req) => {
      const problems = ruleProblems(req.body);
      return { ok: problems.length === 0, problems };
    },
  );

  app.post(
    '/rules/dry-run',
    {
      config: { access: STAFF },
      schema: {
        tags: ['admin'],
        summary: 'Replay the stored readings of the last days (default 7) through the engine with this rule set: how many times each rule would have fired, on which devices',
        querystring: Type.Object({ days: Type.Integer({ minimum: 1, maximum: 31, default: 7 }) }),
        body: RuleText,
        response: { 400: ErrorBody },
      },
    },
    async (req) => {
      const set = buildRuleSet(parseRuleSetText(req.body));
      const toMs = hub.now();
      const fromMs = toMs - req.query.days * DAY_MS;
      const readings = await admin.readings({ fromMs, toMs, limit: MAX_REPLAY });
      return { fromMs, toMs, truncated: readings.length >= MAX_REPLAY, ...dryRun(set, readings) };
    },
  );

  app.get('/rules/versions', { config: { access: STAFF }, schema: { tags: ['admin'], summary: 'Every saved rule set, newest first, with who saved it' } }, async () => admin.ruleVersions.list());

  app.get(
    '/rules/versions/:version',
    { config: { access: STAFF }, schema: { tags: ['admin'], summary: 'One saved rule set', params: Type.Object({ version: Type.Integer({ minimum: 1 }) }), response: { 404: ErrorBody } } },
    async (req) => {
      const v = await admin.ruleVersions.get(req.params.version);
      if (!v) throw new HubError('HUB_ERR_NOT_FOUND', [`rule set version ${req.params.version}`]);
      return v;
    },
  );

  app.post(
    '/rules/versions/:version/revert',
    { config: { access: STAFF }, schema: { tags: ['admin'], summary: 'Put a saved version back in force (saved again as a new version)', params: Type.Object({ version: Type.Integer({ minimum: 1 }) }), response: { 404: ErrorBody } } },
    async (req) => {
      const v = await admin.ruleVersions.get(req.params.version);
      if (!v) throw new HubError('HUB_ERR_NOT_FOUND', [`rule set version ${req.params.version}`]);
      const { user } = sessionOf(req);
      await hub.rules.putRuleSet(v.body, user.id);
      const version = await admin.ruleVersions.add(v.body, user.id, hub.now(), `revert to ${v.version}`);
      return { version, revertedTo: v.version };
    },
  );

  const Month = Type.Object({ month: Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM (China time)' }) });
  const report = async (month: string) => {
    const { fromMs } = monthRange(month);
    const tickets = await hub.rules.tickets.list({ sinceMs: fromMs, limit: 100_000 });
    // Labelled by name, not id: grids, estates and wardens from the site (retired ones too: a report looks back), kinds in both languages.
    const site = await hub.admin.site();
    const names: Record<string, string> = Object.fromEntries(DEVICE_KINDS.map((k) => [k, `${DEVICE_KIND_LABELS[k].zh} ${DEVICE_KIND_LABELS[k].en}`]));
    for (const c of site?.communities ?? []) for (const g of c.grids) {
      names[g.id] = g.name;
      for (const w of g.wardens) names[w.id] = w.name;
      for (const e of g.estates) names[e.id] = e.name;
    }
    return monthlyReport(month, tickets, hub.rules.tickets.sla, names);
  };

  app.get('/reports/monthly', { config: { access: STAFF }, schema: { tags: ['admin'], summary: 'The monthly report (月报): 办结率, on-time rate, times to accept / arrive / close, open and overdue, by grid, estate, warden, kind', querystring: Month } }, async (req) =>
    report(req.query.month),
  );

  app.get('/reports/monthly.xlsx', { config: { access: STAFF }, schema: { tags: ['admin'], summary: 'The monthly report as an Excel workbook', querystring: Month } }, async (req, reply) => {
    reply.header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').header('content-disposition', `attachment; filename="report-${req.query.month}.xlsx"`);
    return reportXlsx(await report(req.query.month));
  });
};
