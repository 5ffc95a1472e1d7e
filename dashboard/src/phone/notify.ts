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
