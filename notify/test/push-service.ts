import { createECDH, createPublicKey, hkdfSync, createDecipheriv, verify as verifySig, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A push service standing in for the browser vendor's (FCM cannot be reached from here): a real
 * HTTP server on loopback that takes Web Push requests as RFC 8030/8291/8292 define them —
 *   - `Authorization: vapid t=<JWT>, k=<application server public key>`: the JWT is ES256-signed
 *     by that key, `aud` is this service's origin, `exp` at most 24 h ahead, `sub` mailto:/https:;
 *   - `Content-Encoding: aes128gcm`, `TTL`, optional `Urgency`;
 *   - a body of one aes128gcm record (salt, rs, keyid = the sender's ECDH key, ciphertext),
 *     decrypted here with the subscription's private key and auth secret (RFC 8291) —
 * and hands each decrypted message to `deliver` (the test forwards it to the browser). Push
 * services are HTTPS only (web-push sends nothing else): the stand-in serves a fresh self-signed
 * certificate for 127.0.0.1, which `cert` returns for the test process to trust.
 */
export interface Subscriber {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export interface PushServiceStandIn {
  url: string;
  /** The stand-in's self-signed certificate (PEM). */
  cert: string;
  /** A subscription as a browser would create one: its own ECDH key pair and auth secret. */
  subscribe(id: string): Subscriber;
  received: { id: string; payload: string; urgency: string | undefined; ttl: string | undefined }[];
  refused: string[];
  close(): Promise<void>;
}

const b64u = (b: Buffer) => b.toString('base64url');

export async function pushServiceStandIn(deliver: (id: string, payload: string) => Promise<void>): Promise<PushServiceStandIn> {
  const subs = new Map<string, { ecdh: ReturnType<typeof createECDH>; auth: Buffer }>();
  const received: PushServiceStandIn['received'] = [];
  const refused: string[] = [];
  let origin = '';

  function check(req: import('node:http').IncomingMessage, body: Buffer): { id: string; payload: string } | string {
    const id = decodeURIComponent((req.url ?? '').replace(/^\/push\//, ''));
    const sub = subs.get(id);
    if (!sub) return 'no such subscription (410)';
    const m = /^vapid t=([^,]+),\s*k=([A-Za-z0-9_-]+)$/.exec(String(req.headers.authorization ?? ''));
    if (!m) return 'no VAPID authorization';
    const [, jwt, k] = m as unknown as [string, string, string];
    const [h, p, s] = jwt.split('.') as [string, string, string];
    const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { alg?: string; typ?: string };
    if (header.alg !== 'ES256') return 'JWT alg is not ES256';
    const raw = Buffer.from(k, 'base64url');
    if (raw.length !== 65 || raw[0] !== 4) return 'k is not an uncompressed P-256 point';
    const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64u(raw.subarray(1, 33)), y: b64u(raw.subarray(33)) }, format: 'jwk' });
    if (!verifySig('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'))) return 'VAPID signature does not verify';
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as { aud?: string; exp?: number; sub?: string };
    if (claims.aud !== origin) return `aud ${claims.aud} is not ${origin}`;
    if (!claims.exp || claims.exp > Date.now() / 1000 + 24 * 3600 || claims.exp < Date.now() / 1000) return 'exp missing, past or beyond 24 h';
    if (!/^(mailto:|https:)/.test(claims.sub ?? '')) return 'sub is not mailto: or https:';
    if (req.headers['content-encoding'] !== 'aes128gcm') return 'Content-Encoding is not aes128gcm';
    if (req.headers.ttl === undefined) return 'TTL missing';
    // RFC 8188 header: salt(16) rs(4) idlen(1) keyid(idlen); RFC 8291: keyid is the sender's public key.
    const salt = body.subarray(0, 16);
    const idlen = body[20]!;
    const asPublic = body.subarray(21, 21 + idlen);
    const record = body.subarray(21 + idlen);
    const uaPublic = sub.ecdh.getPublicKey();
    const secret = sub.ecdh.computeSecret(asPublic);
    const ikm = Buffer.from(hkdfSync('sha256', secret, sub.auth, Buffer.concat([Buffer.from('WebPush: info\0'), uaPublic, asPublic]), 32));
    const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
    const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
    try {
      const d = createDecipheriv('aes-128-gcm', cek, nonce);
      d.setAuthTag(record.subarray(record.length - 16));
      const plain = Buffer.concat([d.update(record.subarray(0, record.length - 16)), d.final()]);
      let end = plain.length - 1;
      while (end >= 0 && plain[end] === 0) end--;
      if (plain[end] !== 2) return 'last record has no 0x02 padding delimiter';
      return { id, payload: plain.subarray(0, end).toString('utf8') };
    } catch {
      return 'payload does not decrypt with the subscription keys';
    }
  }

  const dir = mkdtempSync(join(tmpdir(), 'push-service-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  const key = readFileSync(join(dir, 'key.pem'), 'utf8');
  const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  rmSync(dir, { recursive: true, force: true });
  const server: Server = createServer({ key, cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = check(req, Buffer.concat(chunks));
      if (typeof r === 'string') {
        refused.push(r);
        res.writeHead(r.includes('410') ? 410 : 400).end(r);
        return;
      }
      received.push({ ...r, urgency: req.headers.urgency as string | undefined, ttl: req.headers.ttl as string | undefined });
      deliver(r.id, r.payload).then(
        () => res.writeHead(201).end(),
        (err: Error) => res.writeHead(502).end(err.message),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url: origin,
    cert,
    received,
    refused,
    subscribe(id) {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const auth = randomBytes(16);
      subs.set(id, { ecdh, auth });
      return { endpoint: `${origin}/push/${encodeURIComponent(id)}`, keys: { p256dh: b64u(ecdh.getPublicKey()), auth: b64u(auth) } };
    },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
