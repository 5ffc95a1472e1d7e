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

// The page posts {type:'notify', title, body, tag} when a ticket is dispatched to this warden.
self.addEventListener('message', (event) => {
  const d = event.data;
  if (!d || d.type !== 'notify') return;
  self.registration.showNotification(d.title, { body: d.body, tag: d.tag, renotify: true, vibrate: [300, 100, 300], data: { url: '/m' } });
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(
    self.clients.matchAll({ type: 'window' }).then((list) => {
      const open = list.find((c) => new URL(c.url).pathname.startsWith('/m'));
      return open ? open.focus() : self.clients.openWindow('/m');
    }),
  );
});
