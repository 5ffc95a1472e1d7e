/**
 * The REST side: same origin; the session travels ONLY as the HttpOnly cookie set at login, so no
 * script on the page can read it (the socket handshake carries the same cookie). Every request
 * sends `X-GridHub-CSRF: 1`, which the hub requires of state-changing requests that ride on the
 * cookie (a cross-site form cannot set it). A 401 on any call but the login means the session
 * ended: `SESSION_ENDED` is dispatched on window and the login page shows why.
 */
export const SESSION_ENDED = 'gridhub:session-ended';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(path: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const headers = new Headers(init.headers);
  headers.set('X-GridHub-CSRF', '1');
  let body = init.body;
  if (init.json !== undefined) {
    headers.set('Content-Type', 'application/json');
    body = JSON.stringify(init.json);
  }
  const res = await fetch(path, { ...init, headers, body, credentials: 'same-origin' });
  const text = await res.text();
  const data = text && res.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as unknown) : null;
  if (!res.ok) {
    const err = (data ?? {}) as { code?: string; message?: string };
    if (res.status === 401 && path !== '/api/auth/login') window.dispatchEvent(new Event(SESSION_ENDED));
    throw new ApiError(res.status, err.code ?? `HTTP_${res.status}`, err.message ?? res.statusText);
  }
  return data as T;
}

export const post = <T>(path: string, json: unknown = {}): Promise<T> => api<T>(path, { method: 'POST', json });
