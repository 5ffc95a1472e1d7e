/**
 * Appends waiting for one write (the spool's group commit): made while a commit is in flight or
 * in the same turn of the event loop, they go to disk in one synchronous write, and their
 * promises settle together.
 */
export interface Group<T> {
  texts: string[];
  /** The values appended (what `texts` encode), handed to readers in memory. */
  values: T[];
  appendMs: number[];
  bytes: number;
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export function newGroup<T>(): Group<T> {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A group nobody awaits any more must not surface as an unhandled rejection.
  promise.catch(() => {});
  return { texts: [], values: [], appendMs: [], bytes: 0, promise, resolve, reject };
}
