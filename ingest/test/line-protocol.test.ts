import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reading } from '@gridhub/core';
import { createInfluxSink } from '../src/index.ts';
import { pointTimeNs, readingToLine } from '../src/sinks/line-protocol.ts';
import { historyInfluxQL, influxIdent, influxString } from '../src/sinks/influxql.ts';
import { smokeReading, T0 } from './fixtures/readings.ts';

describe('line protocol', () => {
  it('writes measurement, sorted non-empty tags, typed fields, seq/rx_ms as integers and a ns time', () => {
    const r: Reading = { ...smokeReading(2, 7), message: 'event', fields: { event: 'alarm', obscuration_pct: 12, door_held: true } };
    expect(readingToLine(r)).toBe(
      `event,building=b-2,community=cm-1,device=smoke-0002,estate=e-2,grid=g-2,kind=smoke,street=st-1 ` +
        `event="alarm",obscuration_pct=12,door_held=true,seq=7i,rx_ms=${T0 + 7005}i ${T0 + 7000}000007`,
    );
  });

  it('escapes tag values, field keys and string values', () => {
    const r: Reading = {
      ...smokeReading(1, 1),
      place: { street: 'st 1', community: 'a,b', grid: 'g=1', estate: 'e', building: null, unit: '' },
      fields: { 'we ird': 'say "hi" \\ bye', n: -0.25 },
    };
    const line = readingToLine(r);
    expect(line).toContain('community=a\\,b');
    expect(line).toContain('grid=g\\=1');
    expect(line).toContain('street=st\\ 1');
    expect(line).not.toContain('building=');
    expect(line).not.toContain('unit=');
    expect(line).toContain('we\\ ird="say \\"hi\\" \\\\ bye"');
    expect(line).toContain('n=-0.25');
  });

  it('derives the point time from ts and seq without losing digits', () => {
    expect(pointTimeNs(4_102_444_799_999, 4_294_967_295)).toBe('4102444799999967295');
    expect(pointTimeNs(946_684_800_000, 0)).toBe('946684800000000000');
    expect(pointTimeNs(946_684_800_000, 1_000_001)).toBe('946684800000000001');
  });
});

describe('InfluxQL', () => {
  it('quotes identifiers and string literals', () => {
    expect(influxIdent('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(influxString("it's \\ here")).toBe("'it\\'s \\\\ here'");
  });
  it('groups on fromMs with at most maxPoints buckets', () => {
    const q = historyInfluxQL({ deviceId: 'bin-1', field: 'fill_pct', fromMs: 1_000_123, toMs: 1_000_123 + 86_400_000 - 1, maxPoints: 24 });
    expect(q.intervalMs).toBe(3_600_000);
    expect(q.text).toBe(
      `SELECT mean("fill_pct") FROM "telemetry" WHERE "device" = 'bin-1' AND time >= 1000123ms AND time < 87400123ms GROUP BY time(3600000ms, 1000123ms)`,
    );
  });
});

describe('InfluxDB sink HTTP requests (a recording server)', () => {
  const seen: { method: string; url: string; auth: string | undefined; body: string }[] = [];
  let url = '';
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body });
      if (req.url!.startsWith('/query')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ results: [{ statement_id: 0 }] }));
      } else if (body.includes('partial-me')) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'partial write: field type conflict: input field "note" is type string, already exists as type float dropped=1' }));
      } else if (body.includes('fail-me')) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'field type conflict' }));
      } else {
        res.writeHead(204);
        res.end();
      }
    });
  });
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('v1: writes to /write?db=..&precision=ns with u/p, queries /query with u/p', async () => {
    seen.length = 0;
    const sink = createInfluxSink({ url, api: 'v1', bucket: 'hub db', token: 'writer:s3cret', timeoutMs: 2000 });
    await sink.write([smokeReading(1, 1)]);
    await sink.query({ deviceId: 'd', field: 'f', fromMs: T0, toMs: T0 + 1000, maxPoints: 2 });
    await sink.ping();
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'POST /write?db=hub+db&precision=ns&u=writer&p=s3cret',
      'POST /query?db=hub+db&epoch=ms&u=writer&p=s3cret',
      'GET /ping?u=writer&p=s3cret',
    ]);
    expect(seen[0]!.auth).toBeUndefined();
    expect(seen[1]!.body).toMatch(/^q=SELECT\+mean/);
  });

  it('v2: writes to /api/v2/write with the org and a Token header', async () => {
    seen.length = 0;
    const sink = createInfluxSink({ url, api: 'v2', bucket: 'telemetry', org: 'gridhub', token: 'tok-123', timeoutMs: 2000 });
    await sink.write([smokeReading(1, 1)]);
    await sink.query({ deviceId: 'd', field: 'f', fromMs: T0, toMs: T0 + 1000, maxPoints: 2 });
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'POST /api/v2/write?org=gridhub&bucket=telemetry&precision=ns',
      'POST /query?db=telemetry&epoch=ms',
    ]);
    expect(seen.every((s) => s.auth === 'Token tok-123')).toBe(true);
  });

  it('rejects when the write is not stored (a 400 that is not a partial write)', async () => {
    const sink = createInfluxSink({ url, api: 'v1', bucket: 'x', timeoutMs: 2000, logger: { warn: () => {}, error: () => {} } });
    const bad = { ...smokeReading(1, 1), fields: { note: 'fail-me' } };
    await expect(sink.write([bad])).rejects.toThrow(/field type conflict/);
  });

  it('counts a 400 partial write as written (the bad points can never be stored) and says so', async () => {
    const warnings: string[] = [];
    const sink = createInfluxSink({ url, api: 'v1', bucket: 'x', timeoutMs: 2000, logger: { warn: (_o, m) => warnings.push(m), error: () => {} } });
    const bad = { ...smokeReading(1, 1), fields: { note: 'partial-me' } };
    await expect(sink.write([smokeReading(1, 2), bad])).resolves.toBeUndefined();
    expect(warnings).toHaveLength(1);
  });
});
