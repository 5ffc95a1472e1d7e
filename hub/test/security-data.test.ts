import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uplinkTopic } from '@gridhub/core';
import { demoDeviceSecret } from '@gridhub/store';
import { waitFor } from '@gridhub/testkit';
import { demoPassword } from '../src/auth/index.ts';
import { jpegWithLocation, uploadPhotos } from './photos.ts';
import { connect, login, testHub } from './support.ts';

// Security probes: personal data and photos stay in the scope of who may see them.

type TestHub = Awaited<ReturnType<typeof testHub>>;

describe('personal data in scope', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await testHub();
  });
  afterAll(async () => hub?.dispose());

  it('a warden of one grid finds no phone number of another grid’s staff in any response', async () => {
    const wardens = await hub.store.listWardens();
    const grids = [...new Set(wardens.map((w) => w.gridId))];
    expect(grids.length).toBeGreaterThan(1);
    for (const [who, gridOf] of [['warden', (g: string) => wardens.find((w) => w.gridId === g && w.role !== 'grid_leader')!], ['department', () => null]] as const) {
      const me = gridOf(grids[0]!);
      const token = me ? await login(hub, me.id, demoPassword(me.id)) : await login(hub, 'fire_brigade', demoPassword('fire_brigade'));
      const foreign = wardens.filter((w) => !me || w.gridId !== me.gridId).map((w) => w.phone);
      const [device] = (await hub.store.listDevices({ gridId: me?.gridId ?? grids[0], limit: 1, offset: 0 })).items;
      const fill: Record<string, string> = { id: device!.id, grid: me?.gridId ?? grids[0]!, warden: me?.id ?? 'x', fromMs: '0' };
      const bodies: string[] = [];
      for (const r of hub.app.routeTable.filter((x) => x.method === 'GET')) {
        for (const query of ['', '?limit=1000', `?grid=${grids[1]}`]) {
          const res = await hub.app.inject({ method: 'GET', url: r.url.replace(/:(\w+)/g, (_, p: string) => fill[p] ?? 'x') + query, headers: { authorization: `Bearer ${token}` } });
          bodies.push(res.body);
        }
      }
      const all = bodies.join('\n');
      expect(all.length).toBeGreaterThan(10_000); // it did see the site and its own data
      expect(foreign.filter((p) => all.includes(p)), who).toEqual([]);
      if (me) expect(all, 'own grid phones stay visible').toContain(me.phone);
      // Other grids' staff still appear, by name and grid.
      expect(all).toContain(wardens.find((w) => w.gridId !== (me?.gridId ?? ''))!.name);
    }
    // Operators and grid leaders (who transfer across grids) do see phones.
    const leader = wardens.find((w) => w.role === 'grid_leader')!;
    const res = await hub.app.inject({ method: 'GET', url: '/api/site/wardens', headers: { authorization: `Bearer ${await login(hub, leader.id, demoPassword(leader.id))}` } });
    expect(res.json().every((w: { phone?: string }) => typeof w.phone === 'string')).toBe(true);
  });
});

describe('photos are files the hub keeps', () => {
  let hub: TestHub;
  let ticketId: string;
  let assignee: string;
  beforeAll(async () => {
    hub = await testHub({ rulesTickMs: 200 });
    const d = (await hub.store.listDevices({ kind: 'smoke', limit: 1, offset: 0 })).items[0]!;
    const c = await connect(hub.mqttUrl, { clientId: d.id, username: d.id, password: demoDeviceSecret(d.id) });
    await c.publishAsync(uplinkTopic('smoke', d.id, 'event'), JSON.stringify({ ts: Date.now(), seq: 1, event: 'alarm' }), { qos: 1 });
    await c.endAsync();
    await waitFor(async () => (await hub.rules.tickets.list({ deviceId: d.id, limit: 1 })).length === 1, 15_000, 'ticket');
    const t = (await hub.rules.tickets.list({ deviceId: d.id, limit: 1 }))[0]!;
    ticketId = t.id;
    assignee = t.assigneeId!;
  });
  afterAll(async () => hub?.dispose());

  it('refuses an SVG, an HTML file renamed .png and an oversized file with codes, storing nothing', async () => {
    const token = await login(hub, assignee, demoPassword(assignee));
    const svg = await uploadPhotos(hub, ticketId, token, [{ name: 'x.svg', type: 'image/svg+xml', bytes: Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>') }]);
    expect([svg.status, svg.body.code]).toEqual([415, 'HUB_ERR_PHOTO_TYPE']);
    const html = await uploadPhotos(hub, ticketId, token, [{ name: 'photo.png', type: 'image/png', bytes: Buffer.from('<!doctype html><html><script>fetch("/api/users")</script></html>') }]);
    expect([html.status, html.body.code]).toEqual([415, 'HUB_ERR_PHOTO_TYPE']);
    const mixed = await uploadPhotos(hub, ticketId, token, [{ name: 'ok.jpg', type: 'image/jpeg', bytes: jpegWithLocation() }, { name: 'bad.png', type: 'image/png', bytes: Buffer.from('<html>') }]);
    expect(mixed.body.code).toBe('HUB_ERR_PHOTO_TYPE');
    const big = await uploadPhotos(hub, ticketId, token, [{ name: 'big.jpg', type: 'image/jpeg', bytes: Buffer.concat([jpegWithLocation(), Buffer.alloc(11 * 1024 * 1024)]) }]);
    expect([big.status, big.body.code]).toEqual([413, 'HUB_ERR_PHOTO_TOO_LARGE']);
    const many = await uploadPhotos(hub, ticketId, token, Array.from({ length: 7 }, (_, i) => ({ name: `${i}.jpg`, type: 'image/jpeg', bytes: jpegWithLocation() })));
    expect(many.body.code).toBe('HUB_ERR_PHOTO_TOO_LARGE');
    const { readdirSync, existsSync } = await import('node:fs');
    const dir = `${hub.dataDir}/photos`;
    expect(existsSync(dir) ? readdirSync(dir, { recursive: true }).filter((f) => !String(f).endsWith('.tmp') && String(f).length > 2) : []).toEqual([]);
  });

  it('strips the location unless the assignee took it on site; serves it only to who sees the ticket, with no sniffing', async () => {
    const token = await login(hub, assignee, demoPassword(assignee));
    const up = await uploadPhotos(hub, ticketId, token, [{ name: 'x.jpg', type: 'image/jpeg', bytes: jpegWithLocation() }]);
    expect(up.status).toBe(201);
    expect(up.body.photos[0].locationKept).toBe(false); // not on site yet
    const op = await login(hub, 'operator', demoPassword('operator'));
    const res = await hub.app.inject({ method: 'GET', url: up.body.photos[0].url, headers: { authorization: `Bearer ${op}` } });
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.includes(Buffer.from('GPSLatitude'))).toBe(false);
    expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain('sandbox');
    const wardens = await hub.store.listWardens();
    const ticket = (await hub.rules.tickets.get(ticketId))!;
    const outsider = wardens.find((w) => w.gridId !== ticket.gridId)!;
    const other = await hub.app.inject({ method: 'GET', url: up.body.photos[0].url, headers: { authorization: `Bearer ${await login(hub, outsider.id, demoPassword(outsider.id))}` } });
    expect(other.statusCode).toBe(404); // another grid's ticket answers as one that does not exist
    expect(other.json().code).toBe('HUB_ERR_TICKET_NOT_FOUND');
    expect((await hub.app.inject({ method: 'GET', url: up.body.photos[0].url })).statusCode).toBe(401);
    // Another ticket's photo is not this ticket's (no id guessing across tickets).
    expect((await hub.app.inject({ method: 'GET', url: up.body.photos[0].url.replace(ticketId, 'other-ticket'), headers: { authorization: `Bearer ${op}` } })).statusCode).toBe(404);
  });
});
