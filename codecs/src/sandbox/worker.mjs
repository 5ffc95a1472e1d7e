/**
 * The sandbox thread for uploaded decoders (plain JavaScript so that it runs the same under tsx and
 * from the hub's bundle). Each uploaded codec gets its own QuickJS runtime (WebAssembly) with a
 * memory limit, a stack limit and an interrupt deadline per call. QuickJS has no `require`,
 * `process`, file system, timers or network: a decoder sees only the ECMAScript built-ins.
 *
 * Requests (one at a time, in order): { id, op: 'load', key, source }, { id, op: 'drop', key } and
 * { id, op: 'decode', key, input: { bytes, fPort, variables } }; replies { id, ok, value } or
 * { id, ok: false, kind, message } where kind ∈ timeout | memory | forbidden | threw | invalid | output | missing.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { currentThreadId, lowerThreadPriority } from '@gridhub/core/thread-priority';
import { getQuickJS } from 'quickjs-emscripten';

const { timeLimitMs, loadTimeLimitMs, memoryLimitBytes, stackLimitBytes, maxOutputChars } = workerData;

/**
 * This thread runs at the lowest CPU priority (Linux: nice 19 for this thread only): when the
 * machine is short of CPU, the hub's own thread — MQTT, ingest, alarms — goes first and a decoder
 * looping to its limit takes only what is left. Elsewhere it stays at normal priority.
 */
const niced = lowerThreadPriority(19);
const QuickJS = await getQuickJS();
/** key -> { source, runtime, ctx }: live runtimes; key -> source: what to rebuild one from. */
const codecs = new Map();
const sources = new Map();

/** Names a decoder might reach for that the sandbox does not have (reported as forbidden). */
const HOST_NAMES = /\b(require|process|module|exports|globalThis\.process|fetch|XMLHttpRequest|WebSocket|import|Buffer|setTimeout|setInterval|os|std)\b/;

function dispose(key) {
  const c = codecs.get(key);
  if (!c) return;
  codecs.delete(key);
  try { c.entry?.dispose(); } catch { /* a broken context after an out-of-memory */ }
  try { c.ctx.dispose(); } catch { /* likewise */ }
  try { c.runtime.dispose(); } catch { /* likewise */ }
}

function classify(dumped, deadlineHit, limitMs = timeLimitMs) {
  const name = dumped && typeof dumped === 'object' ? String(dumped.name ?? '') : '';
  const message = dumped && typeof dumped === 'object' ? String(dumped.message ?? '') : String(dumped);
  if (deadlineHit || /interrupted/i.test(message)) return { kind: 'timeout', message: `ran past ${limitMs} ms` };
  if (/out of memory|string too long|array too long/i.test(message) || (name === 'RangeError' && /allocation|memory/i.test(message))) {
    return { kind: 'memory', message: `exceeded ${Math.round(memoryLimitBytes / 1048576)} MiB` };
  }
  if (/stack overflow/i.test(message)) return { kind: 'memory', message: 'stack overflow' };
  if (name === 'ReferenceError' && HOST_NAMES.test(message)) return { kind: 'forbidden', message: message.slice(0, 200) };
  return { kind: 'threw', message: `${name ? `${name}: ` : ''}${message}`.slice(0, 300) };
}

/** Turns an evaluation result (value or error handle) into { ok, value } or a classified failure. */
function settle(c, result) {
  if (result.error) {
    let dumped;
    try { dumped = c.ctx.dump(result.error); } catch { dumped = { message: 'unreadable error' }; }
    result.error.dispose();
    return { ok: false, ...classify(dumped, c.deadlineHit, c.limitMs) };
  }
  let value;
  try { value = c.ctx.dump(result.value); } finally { result.value.dispose(); }
  return { ok: true, value };
}

/** Runs `fn` (which evaluates in the codec's context) under a fresh deadline. */
function timed(c, fn, limitMs = timeLimitMs) {
  c.limitMs = limitMs;
  c.deadline = Date.now() + limitMs;
  c.deadlineHit = false;
  try {
    return settle(c, fn());
  } catch (err) {
    // an exception out of the WebAssembly itself (e.g. memory exhausted in the engine)
    return { ok: false, ...classify({ name: 'InternalError', message: String(err?.message ?? err) }, c.deadlineHit, c.limitMs) };
  }
}

/**
 * The entry point the host calls per frame, defined after the decoder's own source: input and
 * output cross the boundary as JSON text, so only plain data goes in and comes out. The decoder is
 * `decodeUplink(input)` (TTN v3 and ChirpStack v4); a file with only the older entry points —
 * ChirpStack v3's `Decode(fPort, bytes, variables)` or TTN v2's `Decoder(bytes, port)` — is run through
 * them, its return value taken as `data`.
 */
const PRELUDE = `globalThis.__gridhubMake = (function (parse, stringify) {
  return function (d) {
    return function (text) {
      var input = parse(text);
      input.recvTime = new Date(input.recvTime);
      return stringify(d(input));
    };
  };
})(JSON.parse, JSON.stringify);`;

/** Run after the source: picks the entry point (JSON was captured before the source ran). */
const ENTRY = `;globalThis.__gridhubDecode = (function () {
  var d = typeof decodeUplink === 'function' ? decodeUplink
    : typeof Decode === 'function' ? function (i) { return { data: Decode(i.fPort, i.bytes, i.variables) }; }
    : typeof Decoder === 'function' ? function (i) { return { data: Decoder(i.bytes, i.fPort) }; }
    : null;
  return d === null || typeof __gridhubMake !== 'function' ? null : __gridhubMake(d);
})();
typeof globalThis.__gridhubDecode === 'function'`;

function load(key, source) {
  dispose(key);
  const runtime = QuickJS.newRuntime();
  runtime.setMemoryLimit(memoryLimitBytes);
  runtime.setMaxStackSize(stackLimitBytes);
  const ctx = runtime.newContext();
  const c = { source, runtime, ctx, entry: null, deadline: 0, deadlineHit: false };
  // one interrupt handler per runtime; each call moves the deadline
  runtime.setInterruptHandler(() => {
    if (Date.now() > c.deadline) { c.deadlineHit = true; return true; }
    return false;
  });
  codecs.set(key, c);
  // compiling a vendor's file (tens of KiB) gets its own, longer limit than a frame's decode
  const prelude = timed(c, () => ctx.evalCode(PRELUDE, 'prelude.js'), loadTimeLimitMs);
  if (!prelude.ok) { dispose(key); return prelude; }
  const r = timed(c, () => ctx.evalCode(`${source}\n${ENTRY}`, 'decoder.js'), loadTimeLimitMs);
  if (!r.ok) { dispose(key); return r; }
  if (r.value !== true) { dispose(key); return { ok: false, kind: 'invalid', message: 'defines no function decodeUplink(input) (nor Decode(fPort, bytes) or Decoder(bytes, port))' }; }
  c.entry = ctx.getProp(ctx.global, '__gridhubDecode');
  return { ok: true, value: true };
}

/** Deeper results are refused: copying them between threads and serialising them recurses. */
const MAX_DEPTH = 32;

/** How deeply the JSON text nests (brackets outside strings), by one scan. */
function jsonDepth(text) {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x5b || ch === 0x7b) max = Math.max(max, ++depth);
    else if (ch === 0x5d || ch === 0x7d) depth--;
  }
  return max;
}

function decode(key, input) {
  let c = codecs.get(key);
  if (!c) {
    const source = sources.get(key);
    if (source === undefined) return { ok: false, kind: 'missing', message: 'codec not loaded' };
    const l = load(key, source);
    if (!l.ok) return l;
    c = codecs.get(key);
  }
  const r = timed(c, () => {
    const arg = c.ctx.newString(JSON.stringify(input));
    try {
      return c.ctx.callFunction(c.entry, c.ctx.undefined, arg);
    } finally {
      arg.dispose();
    }
  });
  if (!r.ok) {
    // a runtime that ran out of memory or time may hold half-built state: start it afresh next time
    if (r.kind === 'timeout' || r.kind === 'memory') dispose(key);
    return r;
  }
  if (typeof r.value !== 'string') return { ok: false, kind: 'output', message: 'decodeUplink returned nothing JSON can carry' };
  if (r.value.length > maxOutputChars) return { ok: false, kind: 'output', message: `output of ${r.value.length} characters exceeds ${maxOutputChars}` };
  const depth = jsonDepth(r.value);
  if (depth > MAX_DEPTH) return { ok: false, kind: 'output', message: `output nested ${depth} deep, over ${MAX_DEPTH}` };
  // own `__proto__` keys are dropped: nothing downstream should meet one
  return { ok: true, value: JSON.parse(r.value, (k, v) => (k === '__proto__' ? undefined : v)) };
}

parentPort.on('message', (msg) => {
  let reply;
  try {
    if (msg.op === 'load') {
      reply = load(msg.key, msg.source);
      if (reply.ok) sources.set(msg.key, msg.source);
    } else if (msg.op === 'decode') reply = decode(msg.key, msg.input);
    else if (msg.op === 'drop') { dispose(msg.key); sources.delete(msg.key); reply = { ok: true, value: true }; }
    else reply = { ok: false, kind: 'invalid', message: `unknown op ${msg.op}` };
  } catch (err) {
    reply = { ok: false, kind: 'threw', message: String(err?.message ?? err).slice(0, 300) };
  }
  parentPort.postMessage({ id: msg.id, ...reply });
});
parentPort.postMessage({ ready: true, niced, tid: currentThreadId() });
