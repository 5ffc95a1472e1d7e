import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { HubError, toHubError, validatePayload } from '@gridhub/core';
import { SecretVerifier } from '@gridhub/broker';
import {
  DEFAULT_MAX_NETWORK_MESSAGE_BYTES,
  onenetSignature,
  parseCtwing,
  parseNetworkJson,
  parseOnenet,
  signatureMatches,
  type NetworkOutcome,
} from '@gridhub/ingest';
import { PUBLIC } from '../auth/access.ts';
import type { HubServices } from '../services.ts';

/** Larger than any message ingest accepts, so an oversized push is refused with its code and recorded. */
const BODY_LIMIT = 1024 * 1024;

/** The answer to a push: 200 means spooled (or recognised and recorded); the body says which. */
function answer(outcome: NetworkOutcome) {
  switch (outcome.status) {
    case 'spooled':
      return { status: 'spooled' as const, readings: outcome.readings, refused: outcome.refused.map((e) => e.toJSON()) };
    case 'refused':
      return { status: 'refused' as const, ...outcome.error.toJSON() };
    default:
      return { status: outcome.status };
  }
}

const PushAnswer = Type.Object({ status: Type.String() }, { additionalProperties: true });

/**
 * Carrier platforms' HTTP pushes and camera boxes (docs/devices.md). These routes are PUBLIC to
 * the session check: each authenticates by its own means, checked here first — CTWing by a secret
 * URL segment, OneNET by its signature, a camera box by its device secret. A push answers 200
 * only once its readings are spooled (or it is refused and recorded: a platform that sees errors
 * retries and then stops pushing to the receiver for a while, which would cost other devices'
 * messages); a full or failing spool answers 507/503 and the platform retries.
 */
export const ingestRoutes: FastifyPluginAsyncTypebox<{ hub: HubServices }> = async (app, { hub }) => {
  const ingest = hub.networkIngest;
  const nets = hub.config.networks;
  const maxBytes = DEFAULT_MAX_NETWORK_MESSAGE_BYTES;
  const verifier = new SecretVerifier({ maxConcurrent: 2, maxQueued: 200 });
  // the raw body: signatures are over the bytes as sent, and a refusal records its first bytes
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body));
  const raw = (body: unknown): Uint8Array => (Buffer.isBuffer(body) ? body : Buffer.alloc(0));

  app.post(
    '/ctwing/:token',
    {
      config: { access: PUBLIC },
      bodyLimit: BODY_LIMIT,
      schema: {
        tags: ['ingest'],
        summary: 'CTWing (China Telecom AEP) HTTP push: dataReport, eventReport, deviceOnlineOfflineReport',
        params: Type.Object({ token: Type.String({ maxLength: 200 }) }),
        response: { 200: PushAnswer },
      },
    },
    async (req) => {
      const token = nets.ctwingPushToken;
      if (!token || !signatureMatches(token, req.params.token)) throw new HubError('HUB_ERR_NOT_FOUND', ['POST /api/ingest/ctwing']);
      const body = raw(req.body);
      const rxMs = hub.now();
      const origin = 'POST /api/ingest/ctwing';
      return answer(await ingest.handleSource(parseCtwing(body, rxMs, maxBytes, origin), { topic: origin, clientId: 'ctwing', payload: body, rxMs }));
    },
  );

  app.get(
    '/onenet',
    {
      config: { access: PUBLIC },
      schema: {
        tags: ['ingest'],
        summary: 'OneNET push URL verification: answers msg when signature = Base64(MD5(token + nonce + msg))',
        querystring: Type.Object({ msg: Type.String({ maxLength: 1000 }), nonce: Type.String({ maxLength: 200 }), signature: Type.String({ maxLength: 200 }) }),
      },
    },
    async (req, reply) => {
      const token = nets.onenetToken;
      if (!token) throw new HubError('HUB_ERR_NOT_FOUND', ['GET /api/ingest/onenet']);
      const { msg, nonce, signature } = req.query;
      if (!signatureMatches(onenetSignature(token, nonce, msg), signature)) throw new HubError('HUB_ERR_SIGNATURE', ['OneNET URL verification signature does not match']);
      return reply.type('text/plain; charset=utf-8').send(msg);
    },
  );

  app.post(
    '/onenet',
    {
      config: { access: PUBLIC },
      bodyLimit: BODY_LIMIT,
      schema: { tags: ['ingest'], summary: 'OneNET HTTP push (plaintext mode): data points and online/offline, signed', response: { 200: Type.Object({ results: Type.Array(PushAnswer) }) } },
    },
    async (req) => {
      const token = nets.onenetToken;
      if (!token) throw new HubError('HUB_ERR_NOT_FOUND', ['POST /api/ingest/onenet']);
      const body = raw(req.body);
      const rxMs = hub.now();
      const origin = 'POST /api/ingest/onenet';
      let parsed: ReturnType<typeof parseOnenet>;
      try {
        parsed = parseOnenet(body, rxMs, maxBytes, token, origin);
      } catch (err) {
        const e = toHubError(err);
        // a forged or broken push is answered, never recorded as a device's
        if (e.code === 'HUB_ERR_SIGNATURE') throw e;
        return { results: [answer(await ingest.handleSource({ refuse: e }, { topic: origin, clientId: 'onenet', payload: body, rxMs }))] };
      }
      const results: NetworkOutcome[] = [];
      for (const r of parsed.results) results.push(await ingest.handleSource(r, { topic: origin, clientId: 'onenet', payload: body, rxMs }));
      return { results: results.map(answer) };
    },
  );

  app.post(
    '/camera/:id/:message',
    {
      config: { access: PUBLIC },
      bodyLimit: BODY_LIMIT,
      schema: {
        tags: ['ingest'],
        summary: "An AI camera box's e-bike detection (event) or heartbeat (telemetry), as the v1 contract's JSON; Authorization: Bearer <the device's secret>",
        params: Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' }), message: Type.Union([Type.Literal('event'), Type.Literal('telemetry')]) }),
      },
    },
    async (req, reply) => {
      const { id, message } = req.params;
      const secret = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const creds = await hub.store.deviceSecretHash(id);
      // one answer for an unknown device and a wrong token: no probing which ids exist
      const verdict = creds && secret ? await verifier.verify(`camera:${id}`, secret, creds.secretHash) : 'bad';
      if (verdict === 'busy') throw new HubError('HUB_ERR_NOT_READY', ['too many logins at once; retry']);
      if (verdict !== 'ok' || !creds) throw new HubError('HUB_ERR_AUTH');
      if (creds.kind !== 'ebike') throw new HubError('HUB_ERR_KIND_MISMATCH', [id, creds.kind, 'ebike']);
      const body = raw(req.body);
      const rxMs = hub.now();
      const origin = `POST /api/ingest/camera/${id}/${message}`;
      const source = { topic: origin, clientId: id, payload: body, rxMs };
      let payload: Record<string, unknown>;
      try {
        payload = parseNetworkJson('camera box', body, maxBytes);
        validatePayload('ebike', message, payload);
      } catch (err) {
        const outcome = await ingest.handleSource({ refuse: toHubError(err) }, source);
        return reply.status(400).send(answer(outcome));
      }
      const { ts, seq, ...rest } = payload as { ts: number; seq: number };
      const outcome = await ingest.handleNetwork({
        network: 'camera',
        identity: { type: 'deviceId', value: id },
        application: null,
        origin,
        clientId: id,
        key: `camera:${message}:${ts}:${seq}`,
        tsMs: ts,
        seq,
        rxMs,
        content: { type: 'messages', messages: [{ channel: message, payload: rest }] },
        radio: null,
        detail: {},
        raw: body,
      });
      if (outcome.status === 'refused') return reply.status(outcome.error.status).send(answer(outcome));
      return answer(outcome);
    },
  );
};
