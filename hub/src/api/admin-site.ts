import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { HubError, type SiteFile } from '@gridhub/core';
import { parseSiteYaml, siteToYaml } from '@gridhub/store';
import type { FastifyRequest } from 'fastify';
import { roles, sessionOf } from '../auth/index.ts';
import { applySiteOps, SITE_LEVELS, type SiteOp } from '../admin/site-edit.ts';
import { csvRows, devicesFromRows, Origins, siteFromXlsx, siteToXlsx, withUnsheeted, workbookSheetRows, type RowProblem, type SheetRow } from '../admin/site-xlsx.ts';
import type { HubServices } from '../services.ts';
import { ErrorBody } from './errors.ts';

const ADMIN = roles('admin');
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const MAX_BYTES = 8 * 1024 * 1024;
const Id = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' });
const Position = Type.Object({ x: Type.Number({ minimum: 0 }), y: Type.Number({ minimum: 0 }) }, { additionalProperties: false });
const Op = Type.Union([
  Type.Object({ op: Type.Literal('add'), level: Type.Union(SITE_LEVELS.map((l) => Type.Literal(l))), parent: Id, node: Type.Record(Type.String(), Type.Unknown()) }, { additionalProperties: false }),
  Type.Object({ op: Type.Literal('rename'), id: Id, name: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
  Type.Object({ op: Type.Literal('move'), id: Id, parent: Type.Optional(Id), position: Type.Optional(Position) }, { additionalProperties: false }),
  Type.Object({ op: Type.Literal('update'), id: Id, patch: Type.Record(Type.String(), Type.Unknown()) }, { additionalProperties: false }),
  Type.Object({ op: Type.Literal('retire'), id: Id }, { additionalProperties: false }),
  Type.Object({ op: Type.Literal('restore'), id: Id }, { additionalProperties: false }),
]);
const Apply = Type.Object({ apply: Type.Boolean({ default: false, description: 'false: preview only (validate and list the changes)' }) });
const Change = Type.Object({ level: Type.String(), id: Type.String(), change: Type.String(), fields: Type.Optional(Type.Array(Type.String())) });
const Changes = Type.Object({ applied: Type.Boolean(), changes: Type.Array(Change) });

/** The JSON view of the site for the screens: hashes left out (the YAML and Excel exports keep them, for re-import). */
function withoutHashes(site: SiteFile): SiteFile {
  const s = structuredClone(site);
  for (const c of s.communities) for (const g of c.grids) for (const e of g.estates) for (const d of e.devices) delete d.secret_hash;
  return s;
}

/**
 * Site administration (admin): the tree street → community → grid → estate → building → unit with
 * its devices and wardens; edits as operations, imports as YAML (the file HUB_SITE reads) or an Excel
 * workbook. Everything is validated by the start's own checks and applied in one transaction, or
 * previewed (`apply=false`): what would change, nothing written. Ingest and the broker follow at once.
 */
export const adminSiteRoutes: FastifyPluginAsyncTypebox<{ hub: HubServices }> = async (app, { hub }) => {
  app.addContentTypeParser(['text/yaml', 'application/yaml', 'application/x-yaml', 'text/csv', 'text/plain'], { parseAs: 'string', bodyLimit: MAX_BYTES }, (_req, body, done) => done(null, body));
  app.addContentTypeParser(XLSX, { parseAs: 'buffer', bodyLimit: MAX_BYTES }, (_req, body, done) => done(null, body));
  const { admin } = hub;
  const current = async () => (await admin.site()) ?? ({ version: 1, street: { id: 'street', name: 'street' }, communities: [] } as SiteFile);
  const editor = (req: FastifyRequest) => ({ by: sessionOf(req).user.id, nowMs: hub.now() });
  const run = async (next: SiteFile, apply: boolean) => ({ applied: apply, changes: apply ? await admin.apply(next) : await admin.preview(next) });

  // operators too: their silences name estates, buildings and devices of every grid
  app.get('/', { config: { access: roles('admin', 'operator') }, schema: { tags: ['admin'], summary: 'The site as the nested site file (JSON, no secret hashes; admin, operator)' } }, async () => withoutHashes(await current()));

  app.get('/export.yaml', { config: { access: ADMIN }, schema: { tags: ['admin'], summary: 'The site file as YAML (device secrets as scrypt hashes): import it again and nothing changes' } }, async (_req, reply) => {
    reply.header('content-type', 'text/yaml; charset=utf-8').header('content-disposition', 'attachment; filename="site.yaml"');
    return siteToYaml(await current());
  });

  app.get('/export.xlsx', { config: { access: ADMIN }, schema: { tags: ['admin'], summary: 'The site as an Excel workbook, one sheet per level' } }, async (_req, reply) => {
    reply.header('content-type', XLSX).header('content-disposition', 'attachment; filename="site.xlsx"');
    return siteToXlsx(await current());
  });

  app.post(
    '/ops',
    {
      config: { access: ADMIN },
      schema: { tags: ['admin'], summary: 'Edit the site: add, rename, move (parent or plan position), update, retire (a state: kept, out of live screens; refused while active nodes are below), restore; preview or apply', querystring: Apply, body: Type.Object({ ops: Type.Array(Op, { minItems: 1, maxItems: 1000 }) }), response: { 200: Changes, 400: ErrorBody } },
    },
    async (req) => run(applySiteOps(await current(), req.body.ops as SiteOp[], editor(req)), req.query.apply),
  );

  app.post(
    '/import',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['admin'],
        summary: 'Replace the site from a site file (YAML, text/yaml) or a workbook (.xlsx): every problem with its path, or sheet and row; preview or apply',
        querystring: Apply,
        response: { 200: Changes, 400: ErrorBody },
      },
    },
    async (req) => {
      const body = req.body;
      const next = Buffer.isBuffer(body) ? withUnsheeted(await siteFromXlsx(body), await hub.admin.site()) : typeof body === 'string' ? parseSiteYaml(body, 'site.yaml') : null;
      if (!next) throw new HubError('HUB_ERR_VALIDATION', ['send the site as text/yaml or as an .xlsx workbook']);
      return run(next, req.query.apply);
    },
  );

  app.post(
    '/devices',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['admin'],
        summary: 'Add or replace many devices from a CSV (text/csv, header row as the devices sheet) or a workbook with a devices sheet; preview or apply',
        querystring: Apply,
        response: { 200: Changes, 400: ErrorBody },
      },
    },
    async (req) => {
      const body = req.body;
      let rows: SheetRow[];
      if (typeof body === 'string') rows = csvRows(body);
      else if (Buffer.isBuffer(body)) rows = await workbookSheetRows(body, 'devices');
      else throw new HubError('HUB_ERR_VALIDATION', ['send devices as text/csv or as an .xlsx workbook with a devices sheet']);
      const problems: RowProblem[] = [];
      const rowOf = new Map<string, number>();
      const byEstate = devicesFromRows(rows, 'devices', problems, (d, _e, row) => rowOf.set(d.id, row));
      const ops: SiteOp[] = [];
      const site = await current();
      const known = new Map(site.communities.flatMap((c) => c.grids.flatMap((g) => g.estates.flatMap((e) => e.devices.map((d) => [d.id, d] as const)))));
      for (const [estate, list] of byEstate) {
        for (const d of list) {
          // a device already in the site is replaced (its secret kept unless the row gives one)
          const old = known.get(d.id);
          if (old) ops.push({ op: 'remove', id: d.id });
          const keep = old && d.secret === undefined && d.secret_hash === undefined ? { secret_hash: old.secret_hash } : {};
          ops.push({ op: 'add', level: 'device', parent: estate, node: { ...d, ...keep } });
        }
      }
      if (problems.length) throw new HubError('HUB_ERR_SITE_INVALID', [`devices: ${problems.length} problem(s) (first: row ${problems[0]!.row}: ${problems[0]!.reason})`], problems);
      let next: SiteFile;
      try {
        next = applySiteOps(site, ops, editor(req));
      } catch (err) {
        if (err instanceof HubError && err.code === 'HUB_ERR_VALIDATION') {
          throw new HubError('HUB_ERR_SITE_INVALID', [err.message], [{ path: 'devices', reason: err.message }]);
        }
        throw err;
      }
      try {
        return await run(next, req.query.apply);
      } catch (err) {
        // The site's own checks name a path (communities[0]...devices[7].building): give the row it came from.
        if (!(err instanceof HubError) || err.code !== 'HUB_ERR_SITE_INVALID' || !Array.isArray(err.details)) throw err;
        const origins = new Origins();
        for (const c of next.communities) for (const g of c.grids) for (const e of g.estates) for (const d of e.devices) { const row = rowOf.get(d.id); if (row !== undefined) origins.set(d, 'devices', row); }
        const located = origins.rows(next, err.details as RowProblem[]);
        const first = located[0];
        throw new HubError('HUB_ERR_SITE_INVALID', [`devices: ${located.length} problem(s) (first: ${first?.row !== undefined ? `row ${first.row}` : first?.path}: ${first?.reason})`], located);
      }
    },
  );
};
