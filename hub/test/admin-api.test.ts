import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { USER_ROLES, uplinkTopic, type Reading, type UserRole } from '@gridhub/core';
import { waitFor } from '@gridhub/testkit';
import type { SqlHubStore } from '@gridhub/store';
import { demoPassword } from '../src/auth/index.ts';
import { api, connect, login, testHub } from './support.ts';

type TestHub = Awaited<ReturnType<typeof testHub>>;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

describe('admin API: site workbook, rules, device secrets, audit, access', () => {
  let hub: TestHub;
  let adminToken: string;
  beforeAll(async () => {
    hub = await testHub();
    adminToken = await login(hub, 'admin', 'test-admin-password');
  });
  afterAll(async () => hub?.dispose());

  const inject = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: string | Buffer, type?: string, token = adminToken) =>
    hub.app.inject({ method, url, payload, headers: { authorization: `Bearer ${token}`, ...(type ? { 'content-type': type } : {}) } });

  it('site Excel export -> edit -> import: a preview lists the changes and writes nothing; apply writes them; a broken row is refused with its row and reason and nothing changes', async () => {
    const exported = await inject('GET', '/api/admin/site/export.xlsx');
    expect(exported.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(exported.rawPayload as unknown as ArrayBuffer);
    const estates = wb.getWorksheet('estates')!;
    expect(estates.getRow(1).values).toEqual([undefined, 'grid_id', 'id', 'name', 'width_m', 'height_m', 'retired_at', 'retired_by']);
    const devicesSheet = wb.getWorksheet('devices')!;
    expect(devicesSheet.rowCount - 1).toBe((await hub.store.allDeviceInfo()).length);
    // unchanged workbook: no changes
    const same = await inject('POST', '/api/admin/site/import?apply=false', exported.rawPayload, XLSX);
    expect(same.statusCode, same.body).toBe(200);
    expect(same.json().changes).toEqual([]);

    // edit: rename the first estate, move the first building
    const estateId = String(estates.getRow(2).getCell(2).value);
    estates.getRow(2).getCell(3).value = '改名小区 Renamed estate';
    const buildings = wb.getWorksheet('buildings')!;
    const buildingId = String(buildings.getRow(2).getCell(2).value);
    buildings.getRow(2).getCell(5).value = 3;
    const edited = Buffer.from(await wb.xlsx.writeBuffer());
    const before = JSON.stringify((await api(hub, 'GET', '/api/admin/site')).body);
    const preview = await inject('POST', '/api/admin/site/import?apply=false', edited, XLSX);
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.json().changes).toEqual(
      expect.arrayContaining([
        { level: 'estate', id: estateId, change: 'changed', fields: ['name'] },
        { level: 'building', id: buildingId, change: 'changed', fields: ['position'] },
      ]),
    );
    expect(preview.json().changes).toHaveLength(2);
    expect(JSON.stringify((await api(hub, 'GET', '/api/admin/site')).body)).toBe(before);

    // a broken row: a smoke alarm in a building of no estate, and a floor that is not a number
    const row = devicesSheet.getRow(3);
    const brokenId = String(row.getCell(2).value);
    row.getCell(5).value = 'no-such-building';
    const broken = Buffer.from(await wb.xlsx.writeBuffer());
    const refused = await inject('POST', '/api/admin/site/import?apply=true', broken, XLSX);
    expect(refused.statusCode).toBe(400);
    const body = refused.json();
    expect(body.code).toBe('HUB_ERR_SITE_INVALID');
    expect(body.details).toEqual(expect.arrayContaining([expect.objectContaining({ sheet: 'devices', row: 3, reason: expect.stringContaining('building no-such-building is not in estate') })]));
    expect(JSON.stringify((await api(hub, 'GET', '/api/admin/site')).body)).toBe(before);
    expect((await hub.store.deviceInfo(brokenId))!.buildingId).not.toBe('no-such-building');

    // the good edit applied
    row.getCell(5).value = (await hub.store.deviceInfo(brokenId))!.buildingId;
    const applied = await inject('POST', '/api/admin/site/import?apply=true', Buffer.from(await wb.xlsx.writeBuffer()), XLSX);
    expect(applied.statusCode, applied.body).toBe(200);
    expect(applied.json().changes).toHaveLength(2);
    const tree = (await api(hub, 'GET', '/api/admin/site')).body;
    const estate = tree.communities.flatMap((c: any) => c.grids.flatMap((g: any) => g.estates)).find((e: any) => e.id === estateId);
    expect(estate.name).toBe('改名小区 Renamed estate');
    expect(estate.buildings.find((b: any) => b.id === buildingId).position.x).toBe(3);
  });

  it('the YAML export imports back with no change', async () => {
    const yaml = await inject('GET', '/api/admin/site/export.yaml');
    expect(yaml.statusCode).toBe(200);
    const res = await inject('POST', '/api/admin/site/import?apply=false', yaml.body, 'text/yaml');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().changes).toEqual([]);
  });

  it('a rule with a mistyped field is refused with the field named; a mistyped event too', async () => {
    const typo = 'version: 1\nrules:\n  - { id: bin.full, device_kind: bin, kind: threshold, title: Bin full, priority: P2, field: fill_pcnt, above: 95, clear: 85 }\n';
    const put = await inject('PUT', '/api/rules', typo, 'text/yaml');
    expect(put.statusCode).toBe(400);
    expect(put.json().code).toBe('HUB_ERR_RULESET_INVALID');
    expect(put.json().message).toContain('fill_pcnt');
    const v = await inject('POST', '/api/admin/rules/validate', typo.replace('fill_pcnt', 'fill_pct').replace('kind: threshold', 'kind: threshold') + '  - { id: smoke.x, device_kind: smoke, kind: event, title: X, priority: P1, events: [alarn] }\n', 'text/yaml');
    expect(v.json()).toEqual({ ok: false, problems: [{ path: 'rules[1].events[0]', reason: expect.stringContaining('event alarn is not in the smoke contract') }] });
    const ok = await inject('POST', '/api/admin/rules/validate', typo.replace('fill_pcnt', 'fill_pct'), 'text/yaml');
    expect(ok.json()).toEqual({ ok: true, problems: [] });
  });

  it('a dry run replays the stored readings of 7 days through the engine: the known history fires bin.full 3 times on one device', async () => {
    const bin = (await hub.store.listDevices({ kind: 'bin', limit: 1, offset: 0 })).items[0]!;
    const t0 = Date.now() - 2 * 86_400_000;
    // 50, 96 (fires), 80 (clears: <= 85), 97 (fires), 90 (holds), 84 (clears), 99 (fires); 10 days ago one more that is out of range
    const fills = [50, 96, 80, 97, 90, 84, 99];
    const reading = (tsMs: number, fill: number, seq: number): Reading => ({ deviceId: bin.id, kind: 'bin', message: 'telemetry', tsMs, seq, rxMs: tsMs, place: bin.place, fields: { fill_pct: fill } });
    await hub.store.writeReadings([reading(Date.now() - 10 * 86_400_000, 99, 1), ...fills.map((f, i) => reading(t0 + i * 60_000, f, i + 10))]);
    const rules = 'version: 1\nrules:\n  - { id: bin.full, device_kind: bin, kind: threshold, title: Bin full, priority: P2, field: fill_pct, above: 95, clear: 85 }\n';
    const res = await inject('POST', '/api/admin/rules/dry-run', rules, 'text/yaml');
    expect(res.statusCode, res.body).toBe(200);
    const full = res.json().byRule.find((r: any) => r.ruleId === 'bin.full');
    expect(full).toEqual({ ruleId: 'bin.full', firings: 3, devices: [{ deviceId: bin.id, firings: 3 }] });
    // a higher level fires less: the answer follows the rule, not a fixed figure
    const strict = await inject('POST', '/api/admin/rules/dry-run', rules.replace('above: 95', 'above: 98').replace('clear: 85', 'clear: 95'), 'text/yaml');
    expect(strict.json().byRule.find((r: any) => r.ruleId === 'bin.full').firings).toBe(1);
  });

  it('rule versions: every save kept with who saved it; one-click revert', async () => {
    const a = 'version: 1\noverrides: []\n';
    const b = 'version: 1\nrules:\n  - { id: bin.full, device_kind: bin, kind: threshold, title: Bin full, priority: P2, field: fill_pct, above: 90, clear: 80 }\n';
    expect((await inject('PUT', '/api/rules', a, 'text/yaml')).statusCode).toBe(200);
    expect((await inject('PUT', '/api/rules', b, 'text/yaml')).statusCode).toBe(200);
    const versions = (await api(hub, 'GET', '/api/admin/rules/versions')).body;
    expect(versions.slice(0, 2).map((v: any) => v.savedBy)).toEqual(['admin', 'admin']);
    const revert = await inject('POST', `/api/admin/rules/versions/${versions[1].version}/revert`);
    expect(revert.statusCode, revert.body).toBe(200);
    expect(hub.rules.current().saved?.body).toBe(a);
  });

  it('a provisioned secret connects; revoking it drops the connection at once and it connects no more; the audit log shows each step with the user', async () => {
    const device = (await hub.store.listDevices({ kind: 'smoke', limit: 1, offset: 0 })).items[0]!;
    const prov = await inject('POST', `/api/admin/devices/${device.id}/secret`);
    expect(prov.statusCode).toBe(200);
    const { secret } = prov.json();
    expect(prov.headers['cache-control']).toBe('no-store');
    await expect(connect(hub.mqttUrl, { clientId: device.id, username: device.id, password: `demo-${device.id}` })).rejects.toThrow();
    const client = await connect(hub.mqttUrl, { clientId: device.id, username: device.id, password: secret });
    await client.publishAsync(uplinkTopic('smoke', device.id, 'telemetry'), JSON.stringify({ ts: Date.now(), seq: 1, temperature_c: 21 }), { qos: 1 });
    let closed = false;
    client.on('close', () => (closed = true));
    const t = Date.now();
    expect((await inject('DELETE', `/api/admin/devices/${device.id}/secret`)).statusCode).toBe(200);
    await waitFor(() => closed, 2000, 'the revoked device disconnected');
    expect(Date.now() - t).toBeLessThan(2000);
    client.end(true);
    await expect(connect(hub.mqttUrl, { clientId: device.id, username: device.id, password: secret })).rejects.toThrow();
    const audit = (await api(hub, 'GET', `/api/admin/audit?q=${device.id}`)).body;
    expect(audit.items.map((e: any) => [e.method, e.route, e.username, e.status])).toEqual([
      ['DELETE', '/api/admin/devices/:id/secret', 'admin', 200],
      ['POST', '/api/admin/devices/:id/secret', 'admin', 200],
    ]);
    expect(JSON.stringify(audit)).not.toContain(secret);
    const csv = await inject('GET', `/api/admin/audit.csv?q=${device.id}`);
    expect(csv.body.split('\r\n').filter(Boolean)).toHaveLength(3);
    // append-only: the database refuses to change or delete a line
    await expect(sql`update audit_log set username = 'someone'`.execute((hub.store as SqlHubStore).db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log`.execute((hub.store as SqlHubStore).db)).rejects.toThrow(/append-only/);
  });

  it('many devices from a CSV and from a workbook: a broken row is refused with its row and reason and nothing is applied; the good file adds them all', async () => {
    const site = (await api(hub, 'GET', '/api/admin/site')).body;
    const estate = site.communities[0].grids[0].estates[0];
    const building = estate.buildings[0];
    const header = 'estate_id,id,kind,name,building,unit,floor,x,y,bin_depth_mm';
    const line = (i: number) => (i % 2 ? `${estate.id},bulk-smk-${i},smoke,烟感 ${i},${building.id},${building.units[0].id},${1 + (i % 6)},,,` : `${estate.id},bulk-bin-${i},bin,垃圾桶 ${i},,,,${5 + i},${5 + (i % 30)},1200`);
    const lines = Array.from({ length: 40 }, (_, i) => line(i));
    const countBefore = (await hub.store.allDeviceInfo()).length;
    const broken = [...lines];
    broken[11] = broken[11]!.replace(building.id, 'no-such-building'); // CSV row 13 (header is row 1)
    broken[24] = broken[24]!.replace(',1200', ',deep'); // row 26: not a number
    const refused = await inject('POST', '/api/admin/site/devices?apply=true', [header, ...broken].join('\r\n'), 'text/csv');
    expect(refused.statusCode).toBe(400);
    expect(refused.json().code).toBe('HUB_ERR_SITE_INVALID');
    expect(refused.json().details).toEqual(expect.arrayContaining([expect.objectContaining({ row: 26, reason: expect.stringContaining('bin_depth_mm "deep" is not a number') })]));
    const fixedDepth = [...broken];
    fixedDepth[24] = lines[24]!;
    const refused2 = await inject('POST', '/api/admin/site/devices?apply=true', [header, ...fixedDepth].join('\n'), 'text/csv');
    expect(refused2.statusCode).toBe(400);
    expect(refused2.json().details).toEqual([expect.objectContaining({ sheet: 'devices', row: 13, reason: expect.stringContaining('no-such-building') })]);
    expect((await hub.store.allDeviceInfo()).length).toBe(countBefore);
    expect(await hub.store.deviceInfo('bulk-smk-1')).toBeUndefined();

    // the same rows as a workbook's devices sheet: the broken row named the same way
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('devices');
    for (const l of [header, ...fixedDepth]) ws.addRow(l.split(',').map((c) => (c === '' ? null : /^\d+$/.test(c) ? Number(c) : c)));
    const xlsx = await inject('POST', '/api/admin/site/devices?apply=true', Buffer.from(await wb.xlsx.writeBuffer()), XLSX);
    expect(xlsx.statusCode).toBe(400);
    expect(xlsx.json().details).toEqual([expect.objectContaining({ row: 13, reason: expect.stringContaining('no-such-building') })]);
    expect((await hub.store.allDeviceInfo()).length).toBe(countBefore);

    const preview = await inject('POST', '/api/admin/site/devices?apply=false', [header, ...lines].join('\n'), 'text/csv');
    expect(preview.json().changes).toHaveLength(40);
    expect((await hub.store.allDeviceInfo()).length).toBe(countBefore);
    const applied = await inject('POST', '/api/admin/site/devices?apply=true', [header, ...lines].join('\n'), 'text/csv');
    expect(applied.statusCode, applied.body).toBe(200);
    expect((await hub.store.allDeviceInfo()).length).toBe(countBefore + 40);
    expect(await hub.store.deviceInfo('bulk-smk-1')).toMatchObject({ buildingId: building.id, floor: 2 });
  });

  it('retire is a state: a retired device is kept and readable, cannot connect or publish, leaves the lists and counts; a building with active devices is refused; an admin restores it', async () => {
    // a demo device (its secret is demo-<id>), not one the other tests added or revoked
    const device = (await hub.store.listDevices({ kind: 'smoke', limit: 200, offset: 0 })).items.filter((d) => d.id.startsWith('smk-')).at(5)!;
    const ops = (body: object, apply = true) => inject('POST', `/api/admin/site/ops?apply=${apply}`, JSON.stringify(body), 'application/json');
    const client = await connect(hub.mqttUrl, { clientId: device.id, username: device.id, password: `demo-${device.id}` });
    let closed = false;
    client.on('close', () => (closed = true));
    const countOf = async () => (await hub.store.siteTree()).communities.flatMap((c) => c.grids.flatMap((g) => g.estates)).find((e) => e.id === device.estateId)!.deviceCounts.smoke ?? 0;
    const countBefore = await countOf();
    const listed = async () => (await api(hub, 'GET', `/api/devices?estate=${device.estateId}&limit=1000`)).body.items.map((d: any) => d.id) as string[];
    expect(await listed()).toContain(device.id);

    // its building still has it: refused, with a code, nothing changed
    const refused = await ops({ ops: [{ op: 'retire', id: device.place.building }] });
    expect([refused.statusCode, refused.json().code]).toEqual([409, 'HUB_ERR_SITE_RETIRE_ACTIVE']);
    expect(refused.json().message).toContain(device.place.building);

    const retired = await ops({ ops: [{ op: 'retire', id: device.id }] });
    expect(retired.statusCode, retired.body).toBe(200);
    expect(retired.json().changes).toEqual([{ level: 'device', id: device.id, change: 'changed', fields: ['retired'] }]);
    await waitFor(() => closed, 2000, 'the retired device was disconnected');
    client.end(true);
    await expect(connect(hub.mqttUrl, { clientId: device.id, username: device.id, password: `demo-${device.id}` })).rejects.toThrow();
    expect(await listed()).not.toContain(device.id);
    expect(await countOf()).toBe(countBefore - 1);
    // kept, with who and when; still described (its tickets and history stay readable)
    const site = (await api(hub, 'GET', '/api/admin/site')).body;
    const entry = site.communities.flatMap((c: any) => c.grids.flatMap((g: any) => g.estates.flatMap((e: any) => e.devices))).find((d: any) => d.id === device.id);
    expect(entry.retired).toMatchObject({ by: 'admin', at: expect.stringMatching(/^\d{4}-/) });
    expect((await hub.store.deviceInfo(device.id))?.id).toBe(device.id);
    expect((await api(hub, 'GET', `/api/tickets?device=${device.id}`)).status).toBe(200);
    // its readings over the HTTP ingest are refused too (no credentials)
    expect((await hub.store.deviceSecretHash(device.id))).toBeUndefined();
    // the YAML round trip keeps the state
    const yaml = await inject('GET', '/api/admin/site/export.yaml');
    expect(yaml.body).toContain('retired:');
    expect((await inject('POST', '/api/admin/site/import?apply=false', yaml.body, 'text/yaml')).json().changes).toEqual([]);
    const xlsx = await inject('GET', '/api/admin/site/export.xlsx');
    expect((await inject('POST', '/api/admin/site/import?apply=false', xlsx.rawPayload, XLSX)).json().changes).toEqual([]);

    // restored by an admin: connects again
    expect((await ops({ ops: [{ op: 'restore', id: device.id }] })).statusCode).toBe(200);
    const again = await connect(hub.mqttUrl, { clientId: device.id, username: device.id, password: `demo-${device.id}` });
    again.end(true);
    expect(await countOf()).toBe(countBefore);
  });

  it("an admin changes a warden's grid: their next request sees the new grid, their live sockets are ended, the audit log has it", async () => {
    const warden = 'w-lx-01-02';
    const token = await login(hub, warden, demoPassword(warden));
    const gridsSeen = async () => new Set(((await api(hub, 'GET', '/api/devices?limit=1000', { token })).body.items as { place: { grid: string } }[]).map((d) => d.place.grid));
    const before = [...(await gridsSeen())];
    expect(before).toHaveLength(1);
    const other = (await hub.store.siteTree()).communities.flatMap((c) => c.grids).find((g) => g.id !== before[0])!.id;
    const ended: unknown[] = [];
    const off = hub.users.onSessionsEnded((e) => ended.push(e));
    expect((await api(hub, 'PUT', `/api/users/${warden}/grid`, { body: { gridId: 'no-such-grid' } })).body.code).toBe('HUB_ERR_VALIDATION');
    expect((await api(hub, 'PUT', '/api/users/operator/grid', { body: { gridId: other } })).body.code).toBe('HUB_ERR_VALIDATION');
    expect((await api(hub, 'PUT', `/api/users/${warden}/grid`, { body: { gridId: other }, token })).status).toBe(403);
    expect((await api(hub, 'PUT', `/api/users/${warden}/grid`, { body: { gridId: other } })).status).toBe(200);
    off();
    expect([...(await gridsSeen())]).toEqual([other]); // the same session, no re-login
    expect(ended).toEqual([{ reason: 'grid', userId: warden }]);
    const audit = (await api(hub, 'GET', `/api/admin/audit?q=${warden}`)).body.items.map((e: any) => [e.method, e.route, e.username, e.status]);
    expect(audit).toContainEqual(['PUT', '/api/users/:id/grid', 'admin', 200]);
  });

  it('the monthly report names its groups: grid, estate and warden names, kinds in both languages; the workbook rows too', async () => {
    const month = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 7);
    const grid = (await hub.store.siteTree()).communities[0]!.grids[0]!;
    const r = (await api(hub, 'GET', `/api/admin/reports/monthly?month=${month}`)).body;
    expect(r.names[grid.id]).toBe(grid.name);
    expect(r.names[grid.estates[0]!.id]).toBe(grid.estates[0]!.name);
    expect(r.names.smoke).toMatch(/烟感.*Smoke/i);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await inject('GET', `/api/admin/reports/monthly.xlsx?month=${month}`)).rawPayload as unknown as ArrayBuffer);
    const labels = (wb.getWorksheet('grid')!.getColumn(1).values as unknown[]).slice(2).map(String);
    for (const key of Object.keys(r.groups.grid)) expect(labels).toContain(`${r.names[key]} (${key})`);
  });

  it('every admin route refuses every role that may not use it (403 before any handler)', async () => {
    const wardens = await hub.store.listWardens();
    const userOf: Record<UserRole, string> = {
      admin: 'admin',
      operator: 'operator',
      grid_leader: wardens.find((w) => w.role === 'grid_leader')!.id,
      warden: wardens.find((w) => w.role !== 'grid_leader')!.id,
      department: 'sanitation',
      community_officer: 'co-test',
      street_officer: 'so-test',
    };
    for (const role of ['community_officer', 'street_officer'] as const) {
      const place = role === 'community_officer' ? { communityId: 'c-lanxi' } : { streetId: 'st-lanxi' };
      await hub.users.create({ username: userOf[role], name: role, role, gridId: null, department: null, ...place, password: demoPassword(userOf[role]) });
    }
    const tokens = new Map<UserRole, string>();
    for (const role of USER_ROLES) tokens.set(role, role === 'admin' ? adminToken : await login(hub, userOf[role], demoPassword(userOf[role])));
    const adminRoutes = hub.app.routeTable.filter((r) => r.url.startsWith('/api/admin'));
    expect(adminRoutes.length).toBeGreaterThanOrEqual(15);
    let refusals = 0;
    for (const r of adminRoutes) {
      const access = r.access!;
      expect('public' in access || access.roles === 'any', `${r.method} ${r.url} is open`).toBe(false);
      const allowed = (access as { roles: readonly UserRole[] }).roles;
      for (const role of USER_ROLES.filter((x) => !allowed.includes(x))) {
        const url = r.url.replace(/:(\w+)/g, (_, p: string) => (p === 'version' ? '1' : 'x'));
        const res = await hub.app.inject({ method: r.method as 'GET', url, headers: { authorization: `Bearer ${tokens.get(role)}` }, payload: r.method === 'GET' || r.method === 'DELETE' ? undefined : {} });
        expect(res.statusCode, `${role} ${r.method} ${url}`).toBe(403);
        expect(res.json().code).toBe('HUB_ERR_FORBIDDEN');
        refusals++;
      }
    }
    expect(refusals).toBeGreaterThan(40);
  });

  it('the audit row is written in the change\'s transaction: a change whose transaction fails leaves no row of it done; a change that commits has exactly one (admin change and ticket action)', async () => {
    const db = (hub.store as SqlHubStore).db;
    const rowsOf = async (target: string) => ((await api(hub, 'GET', `/api/admin/audit?q=${encodeURIComponent(target)}`)).body.items as any[]).filter((e) => e.target === target).map((e) => [e.method, e.route, e.username, e.status]);
    // an admin change: the device's new secret hash cannot be written (the store refuses mid-transaction)
    const device = (await hub.store.listDevices({ kind: 'smoke', limit: 1, offset: 3 })).items[0]!;
    const secretUrl = `/api/admin/devices/${device.id}/secret`;
    await sql`create trigger refuse_secret before update of secret_hash on devices begin select raise(abort, 'refused by test'); end`.execute(db);
    const failed = await inject('POST', secretUrl);
    await sql`drop trigger refuse_secret`.execute(db);
    expect(failed.statusCode).toBe(500);
    // the attempt is recorded with its failure, never as done
    expect(await rowsOf(secretUrl)).toEqual([['POST', '/api/admin/devices/:id/secret', 'admin', 500]]);
    // neither: when the audit row cannot be written, the change is rolled back with it
    const hashBefore = await hub.store.deviceSecretHash(device.id);
    await sql`create trigger refuse_audit before insert on audit_log begin select raise(abort, 'refused by test'); end`.execute(db);
    const unrecorded = await inject('POST', secretUrl);
    await sql`drop trigger refuse_audit`.execute(db);
    expect(unrecorded.statusCode).toBe(500);
    expect(await hub.store.deviceSecretHash(device.id)).toEqual(hashBefore);
    expect((await inject('POST', secretUrl)).statusCode).toBe(200);
    expect(await hub.store.deviceSecretHash(device.id)).not.toEqual(hashBefore);
    expect(await rowsOf(secretUrl)).toEqual([
      ['POST', '/api/admin/devices/:id/secret', 'admin', 200],
      ['POST', '/api/admin/devices/:id/secret', 'admin', 500],
    ]);

    // a ticket action: the engine's transaction (ticket, transition, events) fails at its events
    const now = Date.now();
    await hub.rules.engine.ingest([{ deviceId: device.id, kind: 'smoke', message: 'event', tsMs: now, seq: 1, rxMs: now, place: device.place, fields: { event: 'alarm', obscuration_pct: 14 } } as Reading]);
    const ticket = (await api(hub, 'GET', `/api/tickets?device=${device.id}`)).body.items[0];
    expect(ticket).toBeDefined();
    const ackUrl = `/api/tickets/${ticket.id}/acknowledge`;
    await sql`create trigger refuse_events before insert on events begin select raise(abort, 'refused by test'); end`.execute(db);
    const refused = await inject('POST', ackUrl, JSON.stringify({ note: 'on it' }), 'application/json');
    await sql`drop trigger refuse_events`.execute(db);
    expect(refused.statusCode).toBe(500);
    expect(await rowsOf(ackUrl)).toEqual([['POST', '/api/tickets/:id/acknowledge', 'admin', 500]]);
    expect((await api(hub, 'GET', `/api/tickets/${ticket.id}`)).body.ticket?.status ?? (await api(hub, 'GET', `/api/tickets/${ticket.id}`)).body.status).not.toBe('acknowledged');
    const acked = await inject('POST', ackUrl, JSON.stringify({ note: 'on it' }), 'application/json');
    expect(acked.statusCode, acked.body).toBe(200);
    expect(await rowsOf(ackUrl)).toEqual([
      ['POST', '/api/tickets/:id/acknowledge', 'admin', 200],
      ['POST', '/api/tickets/:id/acknowledge', 'admin', 500],
    ]);
  });
});
