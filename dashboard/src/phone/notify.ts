import { api, post } from '../api.ts';
import { beep } from '../common/beep.ts';

/** Registers the service worker (PWA: installable, notifications, shell cached for bad networks). */
export async function registerServiceWorker(): Promise<ServiceWorkerRegistration | null> {
  if (!('serviceWorker' in navigator)) return null;
  try {
    return await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  } catch {
    return null;
  }
}

/** Asks for notification permission (must follow a user gesture) and unlocks sound. */
export async function enableAlerts(): Promise<NotificationPermission | 'unsupported'> {
  if (!('Notification' in window)) return 'unsupported';
  return Notification.permission === 'default' ? Notification.requestPermission() : Notification.permission;
}

/** A new dispatch: sound, vibration, and a system notification through the service worker. */
export async function alertDispatch(title: string, body: string, tag: string): Promise<void> {
  beep(3, 988);
  navigator.vibrate?.([300, 100, 300]);
  if (!('Notification' in window) || Notification.permission !== 'granted') return;
  const reg = await navigator.serviceWorker?.getRegistration();
  reg?.active?.postMessage({ type: 'notify', title, body, tag });
}

const base64UrlToBytes = (s: string): Uint8Array => {
  const b = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));
  return Uint8Array.from(b, (c) => c.charCodeAt(0));
};

export type PushState = 'subscribed' | 'unsupported' | 'not-configured' | 'denied' | 'failed';

/**
 * Web push for when the app is closed: subscribes this browser with the hub's VAPID key and
 * registers the subscription (POST /api/notify/subscriptions), so dispatches reach the phone
 * through its push service. Needs notification permission (after a user gesture).
 */
export async function subscribePush(): Promise<PushState> {
  if (!('serviceWorker' in navigator) || !('PushManager' in window)) return 'unsupported';
  if (!('Notification' in window) || Notification.permission !== 'granted') return 'denied';
  const { publicKey } = await api<{ publicKey: string | null }>('/api/notify/vapid');
  if (!publicKey) return 'not-configured';
  try {
    const reg = await navigator.serviceWorker.ready;
    const sub = (await reg.pushManager.getSubscription()) ?? (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: base64UrlToBytes(publicKey) as BufferSource }));
    await post('/api/notify/subscriptions', sub.toJSON());
    return 'subscribed';
  } catch {
    return 'failed';
  }
}
