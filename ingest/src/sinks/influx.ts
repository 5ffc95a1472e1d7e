import { HttpError, InfluxDB, setLogger, type Transport } from '@influxdata/influxdb-client';
import type { Reading } from '@gridhub/core';
import type { HistoryQuery, HistoryResult } from '@gridhub/store';
import type { TelemetrySink } from '../types.ts';
import { consoleLogger, type SpoolLogger } from '../spool/spool.ts';
import { historyInfluxQL, parseHistoryResponse, parseReadingsResponse, readingsInfluxQL } from './influxql.ts';
import { readingToLine } from './line-protocol.ts';
import { v1Auth, v1Transport } from './v1-transport.ts';

export interface InfluxSinkOptions {
  url: string;
  /** 'v1': InfluxDB 1.x (/write, database = bucket); 'v2': /api/v2/write (2.x, 3.x). */
  api: 'v1' | 'v2';
  /** Bucket (v2) or database (v1). */
  bucket: string;
  org?: string;
  /** v2: API token; v1: `user:password`, or none. */
  token?: string;
  /** Socket timeout of each request. */
  timeoutMs: number;
  /** Gzip write bodies larger than this (off by default: on a LAN it costs more CPU than it saves). */
  gzipThresholdBytes?: number;
  logger?: SpoolLogger;
}

/**
 * The InfluxDB telemetry sink. `write` resolves exactly when its batch is stored: one WriteApi per
 * batch with its own batch size, no timer flush and no retries, whose flush() promise is the
 * outcome of that one HTTP request (the client's retry buffer would otherwise drop lines on close;
 * the spool does the retrying). A 400 "partial write" (e.g. a field type conflict) is permanent:
 * the points InfluxDB could store are stored, the rest are logged and the batch counts as written,
 * so that one bad point cannot block the spool.
 */
export function createInfluxSink(opts: InfluxSinkOptions): TelemetrySink {
  const log = opts.logger ?? consoleLogger;
  // The client logs every failed request on the console (its logger is process-wide). Every
  // outcome reaches us as a rejection, and the drain logs failures with its backoff (first one,
  // then every 20th), so the client's own lines would only repeat them, once per retry.
  setLogger({ error: () => {}, warn: () => {} });
  const base = new InfluxDB({ url: opts.url, timeout: opts.timeoutMs, ...(opts.api === 'v2' && opts.token ? { token: opts.token } : {}) }).transport;
  const transport: Transport = opts.api === 'v1' ? v1Transport(base, v1Auth(opts.token)) : base;
  const client = new InfluxDB({ url: opts.url, transport });
  const org = opts.org ?? '';
  const queryPath = `/query?${new URLSearchParams({ db: opts.bucket, epoch: 'ms' })}`;

  return {
    name: 'influxdb',
    async write(readings: Reading[]): Promise<void> {
      if (readings.length === 0) return;
      const lines = readings.map(readingToLine);
      const writeApi = client.getWriteApi(org, opts.bucket, 'ns', {
        batchSize: lines.length + 1,
        maxBatchBytes: Number.POSITIVE_INFINITY,
        flushInterval: 0,
        maxRetries: 0,
        gzipThreshold: opts.gzipThresholdBytes,
      });
      try {
        writeApi.writeRecords(lines);
        await writeApi.flush();
      } catch (err) {
        if (err instanceof HttpError && err.statusCode === 400 && /partial write/i.test(err.body ?? err.message)) {
          log.warn({ err: err.message.slice(0, 500), lines: lines.length }, 'InfluxDB refused some points of a batch; the rest are stored');
          return;
        }
        throw err;
      } finally {
        writeApi.dispose();
      }
    },
    async query(q: HistoryQuery): Promise<HistoryResult> {
      const { text } = historyInfluxQL(q);
      const body = await transport.request(queryPath, new URLSearchParams({ q: text }).toString(), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      });
      return parseHistoryResponse(q, body);
    },
    async readings(q) {
      const body = await transport.request(queryPath, new URLSearchParams({ q: readingsInfluxQL(q) }).toString(), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      });
      return parseReadingsResponse(q, body);
    },
    async ping(): Promise<void> {
      await transport.request('/ping', '', { method: 'GET' });
    },
    async close(): Promise<void> {},
  };
}
