import mqemitter from 'mqemitter';

type MQEmitter = mqemitter.MQEmitter;
type Message = mqemitter.Message;

/**
 * The message bus aedes fans PUBLISHes out on (its `mq` option), made safe under overload.
 *
 * Bare aedes 1.2 gives mqemitter `concurrency: 100`; past that, messages queue, and when one
 * finishes mqemitter starts the next *synchronously*. Queued messages nobody subscribes to
 * finish synchronously too, so a long queue unwinds as one recursion: `RangeError: Maximum call
 * stack size exceeded` and the process is gone (reproduced in test/overload.test.ts). Here
 * mqemitter runs without a concurrency limit (no queue, no recursion) and this wrapper bounds
 * the messages in flight instead: past `maxInFlight` a message is not fanned out and `onShed`
 * counts it. `$SYS/` messages are never shed. A message whose payload is in `dropped` (a QoS 0
 * the rate limit refused in authorizePublish, which cannot drop without disconnecting) is
 * skipped silently: it was counted where it was refused.
 */
export interface FanoutOptions {
  maxInFlight: number;
  dropped: WeakSet<Buffer>;
  onShed: () => void;
  onInFlight: (delta: 1 | -1) => void;
}

export function createFanout(opts: FanoutOptions): MQEmitter {
  const inner = mqemitter({ concurrency: 0, matchEmptyLevels: true }); // [MQTT-4.7.1-3]
  let inFlight = 0;
  const emit = inner.emit.bind(inner);
  inner.emit = function sheddingEmit(message: Message, cb?: (error?: Error) => void) {
    const done = cb ?? noop;
    const payload = (message as { payload?: unknown }).payload;
    if (Buffer.isBuffer(payload) && opts.dropped.has(payload)) {
      done();
      return;
    }
    if (inFlight >= opts.maxInFlight && !message.topic.startsWith('$SYS/')) {
      opts.onShed();
      done();
      return;
    }
    inFlight++;
    opts.onInFlight(1);
    emit(message, (err?: Error) => {
      inFlight--;
      opts.onInFlight(-1);
      done(err);
    });
  };
  return inner;
}

function noop(): void {}
