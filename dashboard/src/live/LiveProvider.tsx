import { createContext, useContext, useEffect, useMemo, useSyncExternalStore, type ReactNode } from 'react';
import { io, type Socket } from 'socket.io-client';
import { REALTIME_PATH } from '../core.ts';
import type { ClientToServerEvents, RealtimeNotice, ServerToClientEvents } from '@gridhub/core';
import { sessionToken } from '../api.ts';
import { LiveStore, type LiveState } from './store.ts';

interface LiveContextValue {
  store: LiveStore;
  notices: Set<(n: RealtimeNotice) => void>;
}
const LiveContext = createContext<LiveContextValue | null>(null);

/**
 * Owns the one socket of the page. A reconnect hands the hub its last event id: it catches up
 * with one delta of what was missed (or a fresh snapshot when too far behind), so a phone that
 * was offline catches up in one message and misses nothing.
 */
export function LiveProvider({ children }: { children: ReactNode }) {
  const value = useMemo<LiveContextValue>(() => ({ store: new LiveStore(), notices: new Set() }), []);

  useEffect(() => {
    const { store, notices } = value;
    const notify = (n: RealtimeNotice) => notices.forEach((fn) => fn(n));
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({
      path: REALTIME_PATH,
      // A reconnect hands back where it was: the hub sends what was missed, or a snapshot.
      auth: (cb) => cb({ token: sessionToken() ?? undefined, ...store.resumeFrom() }),
      withCredentials: true,
      reconnectionDelayMax: 5000,
    });
    socket.on('connect', () => store.connected(true));
    socket.on('disconnect', () => store.connected(false));
    socket.on('snapshot', (s) => store.snapshot(s));
    socket.on('delta', (d) => store.delta(d));
    socket.on('notice', notify);
    // A tab that wakes up after a long sleep asks for a snapshot rather than trusting its copy.
    const onVisible = () => {
      if (document.visibilityState === 'visible' && socket.connected) {
        socket.emit('resync', (s) => {
          if ('devices' in s) store.snapshot(s);
        });
      }
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      document.removeEventListener('visibilitychange', onVisible);
      socket.disconnect();
    };
  }, [value]);

  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

function useLiveContext(): LiveContextValue {
  const ctx = useContext(LiveContext);
  if (!ctx) throw new Error('useLive outside LiveProvider');
  return ctx;
}

export function useLive(): LiveState {
  const { store } = useLiveContext();
  return useSyncExternalStore(store.subscribe, store.get);
}

export const useLiveStore = (): LiveStore => useLiveContext().store;

/** Personal notices (a ticket dispatched to me); `fn` should be stable (useCallback). */
export function useNotice(fn: (n: RealtimeNotice) => void): void {
  const { notices } = useLiveContext();
  useEffect(() => {
    notices.add(fn);
    return () => void notices.delete(fn);
  }, [notices, fn]);
}

/**
 * One number (or string) out of the live state: the component re-renders only when it changes,
 * e.g. `useLiveSelect((s) => s.ticketsVersion)` for views of tickets that ignore device deltas.
 */
export function useLiveSelect<T extends string | number | boolean>(select: (s: LiveState) => T): T {
  const { store } = useLiveContext();
  return useSyncExternalStore(store.subscribe, () => select(store.get()));
}
