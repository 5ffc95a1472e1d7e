import type { EventLogReader, LoggedEvent } from '@gridhub/core';

export interface EventFollower {
  /** The id of the last event handed to `onEvents`. */
  position(): number;
  /** Resolves once every event committed before the call has been handed out (tests, shutdown). */
  caughtUp(): Promise<void>;
  stop(): void;
}

/**
 * Reads the event log by cursor from `afterId`: woken by each commit (`onAppend`), it reads in
 * pages until it is at the end and hands each page to `onEvents`, in id order. A failed read
 * (the store away) is retried with backoff; nothing is skipped. One reader at a time per follower.
 */
export function followEventLog(
  log: EventLogReader,
  afterId: number,
  onEvents: (events: LoggedEvent[]) => void | Promise<void>,
  opts: { pageSize?: number; onError?: (err: unknown) => void; retryMs?: number } = {},
): EventFollower {
  const pageSize = opts.pageSize ?? 500;
  let pos = afterId;
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;
  let failures = 0;
  let timer: NodeJS.Timeout | null = null;

  async function drain(): Promise<void> {
    for (;;) {
      const page = await log.readAfter(pos, pageSize);
      if (stopped || !page.length) return;
      await onEvents(page);
      pos = page[page.length - 1]!.id;
      if (page.length < pageSize) return;
    }
  }

  function wake(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    again = false;
    running = drain()
      .then(
        () => {
          failures = 0;
        },
        (err) => {
          opts.onError?.(err);
          const delay = Math.min(5000, (opts.retryMs ?? 100) * 2 ** Math.min(failures++, 6));
          timer = setTimeout(wake, delay);
          timer.unref();
        },
      )
      .finally(() => {
        running = null;
        if (again) wake();
      });
  }

  const off = log.onAppend(wake);
  wake();
  return {
    position: () => pos,
    async caughtUp() {
      const target = await log.lastId();
      while (pos < target && !stopped) {
        wake();
        await (running ?? new Promise((r) => setTimeout(r, 10)));
      }
    },
    stop() {
      stopped = true;
      off();
      if (timer) clearTimeout(timer);
    },
  };
}
