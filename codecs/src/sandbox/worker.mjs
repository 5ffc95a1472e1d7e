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
import { getQuickJS } from 'quickjs-emscripten';

const { timeLimitMs, memoryLimitBytes, stackLimitBytes, maxOutputChars } = workerData;
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
  try { c.ctx.dispose(); } catch { /* a broken context after an out-of-memory */ }
  try { c.runtime.dispose(); } catch { /* likewise */ }
}

function classify(dumped, deadlineHit) {
  const name = dumped && typeof dumped === 'object' ? String(dumped.name ?? '') : '';
  const message = dumped && typeof dumped === 'object' ? String(dumped.message ?? '') : String(dumped);
  if (deadlineHit || /interrupted/i.test(message)) return { kind: 'timeout', message: `ran past ${timeLimitMs} ms` };
  if (/out of memory|string too long|array too long/i.test(message) || (name === 'RangeError' && /allocation|memory/i.test(message))) {
    return { kind: 'memory', message: `exceeded ${Math.round(memoryLimitBytes / 1048576)} MiB` };
  }
  if (/stack overflow/i.test(message)) return { kind: 'memory', message: 'stack overflow' };
  if (name === 'ReferenceError' && HOST_NAMES.test(message)) return { kind: 'forbidden', message: message.slice(0, 200) };
  return { kind: 'threw', message: `${name ? `${name}: ` : ''}${message}`.slice(0, 300) };
}

/** Runs `code` in the codec's context with a fresh deadline; returns the dumped value or a failure. */
function run(c, code) {
  const deadline = Date.now() + timeLimitMs;
  let deadlineHit = false;
  c.runtime.setInterruptHandler(() => {
    if (Date.now() > deadline) { deadlineHit = true; return true; }
    return false;
  });
  let result;
  try {
    result = c.ctx.evalCode(code, 'decoder.js');
  } catch (err) {
    // an exception out of the WebAssembly itself (e.g. memory exhausted in the engine)
    return { ok: false, ...classify({ name: 'InternalError', message: String(err?.message ?? err) }, deadlineHit) };
  }
  if (result.error) {
    let dumped;
    try { dumped = c.ctx.dump(result.error); } catch { dumped = { message: 'unreadable error' }; }
    result.error.dispose();
    return { ok: false, ...classify(dumped, deadlineHit) };
  }
  let value;
  try { value = c.ctx.dump(result.value); } finally { result.value.dispose(); }
  return { ok: true, value };
}

function load(key, source) {
  dispose(key);
  const runtime = QuickJS.newRuntime();
  runtime.setMemoryLimit(memoryLimitBytes);
  runtime.setMaxStackSize(stackLimitBytes);
  const ctx = runtime.newContext();
  const c = { source, runtime, ctx };
  codecs.set(key, c);
  const r = run(c, `${source}\n;typeof decodeUplink === 'function'`);
  if (!r.ok) { dispose(key); return r; }
  if (r.value !== true) { dispose(key); return { ok: false, kind: 'invalid', message: 'defines no function decodeUplink(input)' }; }
  return { ok: true, value: true };
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
  const r = run(c, `JSON.stringify(decodeUplink(${JSON.stringify(input)}))`);
  if (!r.ok) {
    // a runtime that ran out of memory or time may hold half-built state: start it afresh next time
    if (r.kind === 'timeout' || r.kind === 'memory') dispose(key);
    return r;
  }
  if (typeof r.value !== 'string') return { ok: false, kind: 'output', message: 'decodeUplink returned nothing JSON can carry' };
  if (r.value.length > maxOutputChars) return { ok: false, kind: 'output', message: `output of ${r.value.length} characters exceeds ${maxOutputChars}` };
  return { ok: true, value: JSON.parse(r.value) };
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
parentPort.postMessage({ ready: true });
