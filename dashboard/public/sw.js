// GridHub service worker: shows dispatch notifications for the warden's phone (/m) and keeps
// the app shell available on a flaky connection (network first, cached copy when offline).
const CACHE = 'gridhub-shell-v1';

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(['/m', '/manifest.webmanifest', '/icon.svg'])).then(() => self.skipWaiting()));
});
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/socket.io')) return;
  event.respondWith(
    fetch(event.request)
      .then((res) => {
        if (res.ok && (url.pathname.startsWith('/assets/') || url.pathname === '/m')) {
          const copy = res.clone();
          caches.open(CACHE).then((c) => c.put(event.request, copy));
        }
        return res;
      })
      .catch(() => caches.match(event.request).then((hit) => hit ?? caches.match('/m'))),
  );
});

// The page posts {type:'notify', title, body, tag} when a ticket is dispatched to this warden
// while it is open; {type:'act', action, data} runs a notification action as a click would.
self.addEventListener('message', (event) => {
  const d = event.data;
  if (d && d.type === 'act') return event.waitUntil(act(d.action, d.data));
  if (!d || d.type !== 'notify') return;
  self.registration.showNotification(d.title, { body: d.body, tag: d.tag, renotify: true, vibrate: [300, 100, 300], data: { url: '/m' } });
});

// Web push (VAPID, sent by the hub's notifier even while the app is closed): the payload is
// {title, body, tag, ticketId, url, count, locale} (notify/src/channels/webpush.ts).
self.addEventListener('push', (event) => {
  let d = null;
  try {
    d = event.data ? event.data.json() : null;
  } catch {
    d = null;
  }
  if (!d || !d.title) return;
  const en = d.locale === 'en';
  const actions = d.ticketId ? [{ action: 'accept', title: en ? 'Accept' : '接单' }, { action: 'open', title: en ? 'Open' : '查看' }] : [];
  event.waitUntil(
    self.registration.showNotification(d.title, {
      body: d.body, tag: d.tag, renotify: true, requireInteraction: !!d.ticketId, vibrate: [300, 100, 300, 100, 300],
      data: { ticketId: d.ticketId ?? null, url: d.ticketId ? `/m?ticket=${encodeURIComponent(d.ticketId)}` : '/m', locale: d.locale }, actions,
    }),
  );
});

/** Opens (or focuses) the phone view at `url`. */
function openApp(url) {
  return self.clients.matchAll({ type: 'window' }).then((list) => {
    const open = list.find((c) => new URL(c.url).pathname.startsWith('/m'));
    if (open) return open.focus().then((c) => (c && 'navigate' in c ? c.navigate(url) : c));
    return self.clients.openWindow(url);
  });
}

/**
 * A notification's action: `accept` takes the ticket with the session cookie (POST
 * /api/tickets/:id/accept) and confirms with a notification; on failure (logged out, taken
 * meanwhile) it opens the ticket instead. Anything else opens the ticket.
 */
// State-changing requests with the session cookie carry X-GridHub-CSRF (docs/security.md).
function act(action, data) {
  const d = data || {};
  if (action === 'accept' && d.ticketId) {
    const en = d.locale === 'en';
    return fetch(`/api/tickets/${encodeURIComponent(d.ticketId)}/accept`, { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json', 'X-GridHub-CSRF': '1' }, body: '{}' })
      .then((res) => {
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        return self.registration.showNotification(en ? 'Accepted' : '已接单', { body: d.ticketId, tag: `accepted-${d.ticketId}`, data: { ticketId: d.ticketId, url: d.url } });
      })
      .catch(() => openApp(d.url || '/m'));
  }
  return openApp(d.url || '/m');
}

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(act(event.action, event.notification.data));
});
