import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * Stand-ins for the notification providers (they cannot be reached from here): real HTTP servers
 * on loopback that check every request as the provider documents it (signatures, bodies, limits),
 * and answer as the provider answers. Each verification below is written from the provider's
 * documentation independently of the hub's own signing code, so a wrong signature fails here.
 */
export interface Received {
  atMs: number;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  raw: string;
  body: unknown;
}

export interface StandIn {
  url: string;
  /** Requests the provider accepted. */
  accepted: Received[];
  /** Requests it refused, with the reason. */
  refused: { req: Received; reason: string }[];
  /** Answer HTTP 500 to everything until this time (an outage). */
  outageUntilMs: number;
  close(): Promise<void>;
}

type Check = (r: Received, s: StandIn) => { ok: true; reply: unknown } | { ok: false; status: number; reply: unknown; reason: string };

async function serve(check: Check): Promise<StandIn> {
  const s: StandIn = { url: '', accepted: [], refused: [], outageUntilMs: 0, close: async () => {} };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const u = new URL(req.url ?? '/', 'http://x');
      let body: unknown = null;
      try {
        body = req.headers['content-type']?.startsWith('application/x-www-form-urlencoded') ? Object.fromEntries(new URLSearchParams(raw)) : JSON.parse(raw);
      } catch {
        body = null;
      }
      const r: Received = { atMs: Date.now(), path: u.pathname, query: u.searchParams, headers: req.headers, raw, body };
      const send = (status: number, reply: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(reply));
      };
      if (Date.now() < s.outageUntilMs) {
        s.refused.push({ req: r, reason: 'outage' });
        return send(500, { error: 'outage' });
      }
      const out = check(r, s);
      if (out.ok) {
        s.accepted.push(r);
        send(200, out.reply);
      } else {
        s.refused.push({ req: r, reason: out.reason });
        send(out.status, out.reply);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  s.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  s.close = () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  return s;
}

/** Requests accepted within `windowMs` before `atMs` (the robot's own rate counter), for one robot (`same`) or all. */
const recent = (s: StandIn, atMs: number, windowMs: number, same: (r: Received) => boolean = () => true) => s.accepted.filter((r) => r.atMs > atMs - windowMs && same(r)).length;

/** WeCom group robots: POST /cgi-bin/webhook/send?key=KEY, msgtype text (≤ 2,048 bytes) or markdown (≤ 4,096); 20 per minute per robot (key), then errcode 45009. */
export function wecomStandIn(key: string | readonly string[]): Promise<StandIn> {
  const keys = typeof key === 'string' ? [key] : key;
  return serve((r, s) => {
    const b = r.body as { msgtype?: string; text?: { content?: string }; markdown?: { content?: string } } | null;
    const fail = (errcode: number, errmsg: string) => ({ ok: false as const, status: 200, reply: { errcode, errmsg }, reason: errmsg });
    if (r.path !== '/cgi-bin/webhook/send') return fail(404, 'bad path');
    const robot = r.query.get('key') ?? '';
    if (!keys.includes(robot)) return fail(93000, 'invalid webhook url');
    if (r.headers['content-type'] !== 'application/json') return fail(40008, 'invalid content type');
    const content = b?.msgtype === 'text' ? b.text?.content : b?.msgtype === 'markdown' ? b.markdown?.content : undefined;
    if (typeof content !== 'string' || !content) return fail(40008, 'invalid message type');
    const limit = b!.msgtype === 'text' ? 2048 : 4096;
    if (Buffer.byteLength(content, 'utf8') > limit) return fail(40058, `content exceeds ${limit} bytes`);
    if (recent(s, r.atMs, 60_000, (x) => x.query.get('key') === robot) >= 20) return fail(45009, 'api freq out of limit');
    return { ok: true, reply: { errcode: 0, errmsg: 'ok' } };
  });
}

/** DingTalk custom robot with signing: access_token, timestamp (ms, within 1 h), sign = urlencode(base64(HmacSHA256(secret, ts + "\n" + secret))). */
export function dingtalkStandIn(accessToken: string, secret: string): Promise<StandIn> {
  return serve((r, s) => {
    const fail = (errcode: number, errmsg: string) => ({ ok: false as const, status: 200, reply: { errcode, errmsg }, reason: errmsg });
    if (r.path !== '/robot/send') return fail(404, 'bad path');
    if (r.query.get('access_token') !== accessToken) return fail(300001, 'token is not exist');
    const ts = r.query.get('timestamp') ?? '';
    if (!/^\d{13}$/.test(ts) || Math.abs(Date.now() - Number(ts)) > 3600_000) return fail(310000, 'timestamp out of range');
    // URLSearchParams has already URL-decoded `sign` once: compare with the plain Base64.
    const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(Buffer.from(`${ts}\n${secret}`, 'utf8')).digest('base64');
    if (r.query.get('sign') !== expected) return fail(310000, 'sign not match');
    const b = r.body as { msgtype?: string; markdown?: { title?: string; text?: string }; text?: { content?: string } } | null;
    if (b?.msgtype === 'markdown' ? !(b.markdown?.title && b.markdown?.text) : !(b?.msgtype === 'text' && b.text?.content)) return fail(40035, 'missing message content');
    if (recent(s, r.atMs, 60_000) >= 20) return fail(130101, 'send too fast, exceed 20 times per minute');
    return { ok: true, reply: { errcode: 0, errmsg: 'ok' } };
  });
}

/** Feishu custom bot with signature: body timestamp (s, within 1 h), sign = base64(HmacSHA256(key = ts + "\n" + secret, "")); 100/min, 5/s; body ≤ 20 KB. */
export function feishuStandIn(hook: string, secret: string): Promise<StandIn> {
  return serve((r, s) => {
    const fail = (code: number, msg: string) => ({ ok: false as const, status: 200, reply: { code, msg, data: {} }, reason: msg });
    if (r.path !== `/open-apis/bot/v2/hook/${hook}`) return fail(19001, 'param invalid: incoming webhook access token invalid');
    if (Buffer.byteLength(r.raw) > 20 * 1024) return fail(9499, 'request body too large');
    const b = r.body as { timestamp?: string; sign?: string; msg_type?: string; content?: { text?: string } } | null;
    const ts = Number(b?.timestamp);
    if (!Number.isInteger(ts) || Math.abs(Date.now() / 1000 - ts) > 3600) return fail(19021, 'sign match fail or timestamp is not within one hour from current time');
    const expected = createHmac('sha256', Buffer.from(`${b!.timestamp}\n${secret}`, 'utf8')).update(Buffer.alloc(0)).digest('base64');
    if (b!.sign !== expected) return fail(19021, 'sign match fail or timestamp is not within one hour from current time');
    if (b!.msg_type !== 'text' || !b!.content?.text) return fail(9499, 'Bad Request');
    if (recent(s, r.atMs, 60_000) >= 100 || recent(s, r.atMs, 1000) >= 5) return fail(11232, 'frequency limited');
    return { ok: true, reply: { code: 0, msg: 'success', data: {} } };
  });
}

/** RFC 3986 percent-encoding as Alibaba Cloud's signature v1 documents it. */
function aliEncode(s: string): string {
  return encodeURIComponent(s).replace(/\+/g, '%20').replace(/\*/g, '%2A').replace(/%7E/g, '~').replace(/!/g, '%21').replace(/'/g, '%27').replace(/\(/g, '%28').replace(/\)/g, '%29');
}

/** Alibaba Cloud SMS SendSms (RPC, signature v1 HMAC-SHA1 over the sorted, encoded parameters). */
export function aliyunStandIn(accessKeyId: string, accessKeySecret: string, templates: string[]): Promise<StandIn> {
  const seenNonces = new Set<string>();
  return serve((r) => {
    const fail = (Code: string, Message: string, status = 400) => ({ ok: false as const, status, reply: { Code, Message, RequestId: 'standin' }, reason: `${Code}: ${Message}` });
    const p = (r.body ?? {}) as Record<string, string>;
    for (const k of ['AccessKeyId', 'Action', 'Format', 'RegionId', 'SignatureMethod', 'SignatureNonce', 'SignatureVersion', 'Timestamp', 'Version', 'Signature', 'PhoneNumbers', 'SignName', 'TemplateCode', 'TemplateParam']) {
      if (!p[k]) return fail('MissingParameter', `${k} is mandatory`);
    }
    if (p.Action !== 'SendSms' || p.Version !== '2017-05-25') return fail('InvalidAction', 'unknown action or version');
    if (p.AccessKeyId !== accessKeyId) return fail('InvalidAccessKeyId.NotFound', 'Specified access key is not found.', 404);
    if (p.SignatureMethod !== 'HMAC-SHA1' || p.SignatureVersion !== '1.0') return fail('InvalidSignatureMethod', 'bad signature method');
    if (Math.abs(Date.parse(p.Timestamp!) - Date.now()) > 15 * 60_000 || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(p.Timestamp!)) return fail('InvalidTimeStamp.Expired', 'timestamp expired');
    if (seenNonces.has(p.SignatureNonce!)) return fail('SignatureNonceUsed', 'nonce used');
    const { Signature, ...rest } = p;
    const canonical = Object.keys(rest).sort().map((k) => `${aliEncode(k)}=${aliEncode(rest[k]!)}`).join('&');
    const expected = createHmac('sha1', `${accessKeySecret}&`).update(`POST&%2F&${aliEncode(canonical)}`).digest('base64');
    if (Signature !== expected) return fail('SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.');
    seenNonces.add(p.SignatureNonce!);
    if (!/^1\d{10}$/.test(p.PhoneNumbers!)) return fail('isv.MOBILE_NUMBER_ILLEGAL', 'illegal mobile number', 200);
    if (!templates.includes(p.TemplateCode!)) return fail('isv.SMS_TEMPLATE_ILLEGAL', 'template not approved', 200);
    try {
      JSON.parse(p.TemplateParam!);
    } catch {
      return fail('isv.INVALID_JSON_PARAM', 'TemplateParam is not JSON', 200);
    }
    return { ok: true, reply: { Code: 'OK', Message: 'OK', BizId: `biz-${Date.now()}`, RequestId: 'standin' } };
  });
}

/** Tencent Cloud SMS SendSms with TC3-HMAC-SHA256 (canonical request, string to sign, derived key, as documented). */
export function tencentStandIn(secretId: string, secretKey: string, sdkAppId: string, templates: string[]): Promise<StandIn> {
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');
  const mac = (k: Buffer | string, m: string) => createHmac('sha256', k).update(m).digest();
  return serve((r) => {
    const fail = (Code: string, Message: string) => ({ ok: false as const, status: 200, reply: { Response: { Error: { Code, Message }, RequestId: 'standin' } }, reason: `${Code}: ${Message}` });
    const h = r.headers;
    if (h['x-tc-action'] !== 'SendSms' || h['x-tc-version'] !== '2021-01-11') return fail('InvalidAction', 'bad action or version');
    if (!h['x-tc-region']) return fail('MissingParameter', 'X-TC-Region');
    const ts = Number(h['x-tc-timestamp']);
    if (!Number.isInteger(ts) || Math.abs(Date.now() / 1000 - ts) > 300) return fail('AuthFailure.SignatureExpire', 'signature expired');
    const auth = String(h.authorization ?? '');
    const m = /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/sms\/tc3_request, SignedHeaders=([a-z;-]+), Signature=([0-9a-f]{64})$/.exec(auth);
    if (!m) return fail('AuthFailure.InvalidAuthorization', 'Authorization malformed');
    const [, id, date, signed, signature] = m as unknown as [string, string, string, string, string];
    if (id !== secretId) return fail('AuthFailure.SecretIdNotFound', 'secret id not found');
    if (date !== new Date(ts * 1000).toISOString().slice(0, 10)) return fail('AuthFailure.SignatureFailure', 'date does not match the timestamp');
    const names = signed.split(';');
    const canonicalHeaders = names.map((n) => `${n}:${String(h[n] ?? '').trim()}\n`).join('');
    const canonical = ['POST', '/', '', canonicalHeaders, signed, sha(r.raw)].join('\n');
    const toSign = ['TC3-HMAC-SHA256', String(ts), `${date}/sms/tc3_request`, sha(canonical)].join('\n');
    const key = mac(mac(mac(`TC3${secretKey}`, date), 'sms'), 'tc3_request');
    if (createHmac('sha256', key).update(toSign).digest('hex') !== signature) return fail('AuthFailure.SignatureFailure', 'The provided credentials could not be validated.');
    const b = r.body as { PhoneNumberSet?: string[]; SmsSdkAppId?: string; TemplateId?: string; SignName?: string; TemplateParamSet?: string[] } | null;
    if (b?.SmsSdkAppId !== sdkAppId) return fail('FailedOperation.SmsSdkAppIdVerifyFail', 'SdkAppId mismatch');
    if (!b.SignName) return fail('MissingParameter', 'SignName');
    if (!b.TemplateId || !templates.includes(b.TemplateId)) return fail('FailedOperation.TemplateIncorrectOrUnapproved', 'template not approved');
    if (!Array.isArray(b.TemplateParamSet) || b.TemplateParamSet.some((x) => typeof x !== 'string')) return fail('InvalidParameterValue.TemplateParameterFormatError', 'params');
    if (!b.PhoneNumberSet?.length || !b.PhoneNumberSet.every((n) => /^\+\d{6,15}$/.test(n))) return fail('InvalidParameterValue.IncorrectPhoneNumber', 'phone numbers must be E.164');
    return {
      ok: true,
      reply: { Response: { SendStatusSet: b.PhoneNumberSet.map((n) => ({ SerialNo: 's', PhoneNumber: n, Fee: 1, SessionContext: '', Code: 'Ok', Message: 'send success', IsoCode: 'CN' })), RequestId: 'standin' } },
    };
  });
}

/** The city's platform receiving the generic webhook: HMAC-SHA256 over "{timestamp}.{raw body}", 5 minutes against replay, delivery ids deduplicated. */
export function webhookStandIn(secret: string): Promise<StandIn & { deliveries: Set<string> }> {
  const deliveries = new Set<string>();
  return serve((r) => {
    const fail = (status: number, reason: string) => ({ ok: false as const, status, reply: { error: reason }, reason });
    const ts = Number(r.headers['x-gridhub-timestamp']);
    if (!Number.isFinite(ts) || Math.abs(Date.now() - ts) > 5 * 60_000) return fail(401, 'stale timestamp');
    const expected = `sha256=${createHmac('sha256', secret).update(`${ts}.${r.raw}`).digest('hex')}`;
    if (r.headers['x-gridhub-signature'] !== expected) return fail(401, 'bad signature');
    const id = String(r.headers['x-gridhub-delivery'] ?? '');
    if (deliveries.has(id)) return { ok: true, reply: { duplicate: true } };
    deliveries.add(id);
    return { ok: true, reply: { ok: true } };
  }).then((s) => Object.assign(s, { deliveries }));
}
