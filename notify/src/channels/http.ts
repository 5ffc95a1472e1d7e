import type { SendOutcome } from '../types.ts';

export interface HttpReply {
  status: number;
  body: string;
  json: unknown;
}

/** Default time a provider has to answer. */
export const PROVIDER_TIMEOUT_MS = 10_000;

/** One HTTP request to a provider, with a timeout; never throws for an HTTP status. */
export async function request(url: string, init: { method?: string; headers?: Record<string, string>; body?: string }, timeoutMs = PROVIDER_TIMEOUT_MS): Promise<HttpReply> {
  const res = await fetch(url, { method: init.method ?? 'POST', headers: init.headers, body: init.body, signal: AbortSignal.timeout(timeoutMs) });
  const body = await res.text();
  let json: unknown = null;
  try {
    json = body ? (JSON.parse(body) as unknown) : null;
  } catch {
    json = null;
  }
  return { status: res.status, body, json };
}

export const postJson = (url: string, payload: unknown, headers: Record<string, string> = {}, timeoutMs?: number): Promise<HttpReply> =>
  request(url, { headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(payload) }, timeoutMs);

/** A network failure or timeout: worth retrying. */
export function networkFailure(err: unknown): SendOutcome {
  const e = err as { name?: string; message?: string; cause?: { code?: string } };
  return { ok: false, retry: true, error: e.name === 'TimeoutError' ? 'timed out' : (e.cause?.code ?? e.message ?? String(err)) };
}

/** An HTTP status that is not 2xx: 5xx, 408 and 429 are retried, other 4xx are not. */
export function httpFailure(reply: HttpReply): SendOutcome {
  const retry = reply.status >= 500 || reply.status === 408 || reply.status === 429;
  return { ok: false, retry, rateLimited: reply.status === 429, error: `HTTP ${reply.status}` };
}

/** Runs one provider call; a thrown network error becomes a retryable outcome. */
export async function attempt(call: () => Promise<SendOutcome>): Promise<SendOutcome> {
  try {
    return await call();
  } catch (err) {
    return networkFailure(err);
  }
}

/** Robots answer `{errcode, errmsg}` (WeCom, DingTalk) with HTTP 200: errcode 0 is success. */
export function robotOutcome(reply: HttpReply, rateCodes: readonly number[], retryCodes: readonly number[] = [-1]): SendOutcome {
  if (reply.status < 200 || reply.status >= 300) return httpFailure(reply);
  const j = reply.json as { errcode?: number; errmsg?: string; code?: number; msg?: string; StatusCode?: number } | null;
  const code = j?.errcode ?? j?.code ?? j?.StatusCode;
  if (code === 0) return { ok: true };
  if (code === undefined) return { ok: false, retry: true, error: `unexpected answer: ${reply.body.slice(0, 200)}` };
  const rateLimited = rateCodes.includes(code);
  return { ok: false, retry: rateLimited || retryCodes.includes(code), rateLimited, error: `${code} ${j?.errmsg ?? j?.msg ?? ''}`.trim() };
}
