import { describe, expect, it } from 'vitest';
import { chirpstackEventTopic, cmdTopic, ttsUplinkTopic, uplinkTopic } from '@gridhub/core';
import { decidePublish } from '../src/authorize-publish.ts';
import { decideSubscribe, forwardAllowed } from '../src/authorize-subscribe.ts';
import { DEFAULT_LIMITS } from '../src/limits.ts';
import { admit, TokenBucket } from '../src/rate-limit.ts';
import { isValidTopicFilter } from '../src/topic-rules.ts';
import { parseUsers } from '../src/users.ts';
import { willRefusal } from '../src/will.ts';
import type { ClientIdentity } from '../src/types.ts';

const smoke: ClientIdentity = { type: 'device', kind: 'smoke', deviceId: 'smoke-1' };
const service: ClientIdentity = { type: 'user', username: 'svc', role: 'service' };
const operator: ClientIdentity = { type: 'user', username: 'op', role: 'operator' };
const anon: ClientIdentity = { type: 'anonymous' };

describe('decidePublish', () => {
  const own = uplinkTopic('smoke', 'smoke-1', 'event');
  const other = uplinkTopic('smoke', 'smoke-2', 'event');
  const cmd = cmdTopic('smoke', 'smoke-1');
  it.each([
    [smoke, own, true],
    [smoke, uplinkTopic('smoke', 'smoke-1', 'status'), true],
    [smoke, other, false],
    [smoke, uplinkTopic('bin', 'smoke-1', 'event'), false],
    [smoke, cmd, false],
    [smoke, 'lobby/board', false],
    [service, cmd, true],
    [service, own, false],
    // a service account's publish on any other topic would be PUBACKed and never ingested: refused
    [service, 'lobby/board', false],
    [service, 'application/x/device/y/event/up', false],
    [operator, cmd, false],
    [operator, 'desk/notes', true],
    [anon, own, false],
    [anon, 'v1', false],
    [anon, 'TopicA/B', true],
    [anon, '$SYS/x', false],
    [service, 'a/\u0000', false],
  ] as const)('%o on %s -> %s', (who, topic, allowed) => {
    expect(decidePublish(who, topic).allow).toBe(allowed);
  });

  it('a service account publishes integration events only where the broker ingests them, for its own applications', () => {
    const app = '7d3e5a6c-1a2b-4c3d-9e8f-001122334455';
    const up = chirpstackEventTopic(app, 'A84041000181C061', 'up');
    expect(decidePublish(service, up, false)).toMatchObject({ allow: false });
    expect(decidePublish(service, up, true)).toEqual({
      allow: true, uplink: null, integration: { network: 'chirpstack', application: app, devEui: 'a84041000181c061', event: 'up' },
    });
    const bound: ClientIdentity = { ...service, applications: [app] };
    expect(decidePublish(bound, up, true).allow).toBe(true);
    expect(decidePublish(bound, chirpstackEventTopic('another-app', 'A84041000181C061', 'up'), true)).toMatchObject({ allow: false });
    expect(decidePublish({ ...service, applications: ['estate@ttn'] }, ttsUplinkTopic('estate', 'ttn', 'bin-1'), true)).toMatchObject({
      allow: true, integration: { network: 'tts', application: 'estate@ttn', deviceId: 'bin-1', event: 'up' },
    });
    // operators and anonymous clients never feed ingest: an integration topic is just a topic to them
    expect(decidePublish(operator, up, true)).toEqual({ allow: true, uplink: null });
  });

  it('marks a device uplink for ingest, nothing else', () => {
    expect(decidePublish(smoke, own)).toEqual({ allow: true, uplink: { kind: 'smoke', deviceId: 'smoke-1', message: 'event' } });
    expect(decidePublish(service, cmd)).toEqual({ allow: true, uplink: null });
  });
});

describe('decideSubscribe and forwarding', () => {
  it.each([
    [smoke, cmdTopic('smoke', 'smoke-1'), 'grant'],
    [smoke, cmdTopic('smoke', 'smoke-2'), 'refuse'],
    [smoke, '#', 'refuse'],
    [smoke, 'v1/#', 'refuse'],
    [service, 'v1/#', 'grant'],
    [operator, 'v1/+/+/telemetry', 'grant'],
    [anon, '#', 'grant'],
    [anon, '+/+', 'grant'],
    [anon, 'v1/#', 'refuse'],
    [anon, 'v1', 'refuse'],
    [anon, '$SYS/#', 'refuse'],
    [anon, 'TopicA/+', 'grant'],
    [anon, 'a+', 'malformed'],
    [service, 'a/#/b', 'malformed'],
  ] as const)('%o subscribing %s -> %s', (who, filter, decision) => {
    expect(decideSubscribe(who, filter)).toBe(decision);
  });

  it('anonymous wildcard subscriptions never deliver device topics', () => {
    expect(forwardAllowed(anon, uplinkTopic('smoke', 'smoke-1', 'telemetry'))).toBe(false);
    expect(forwardAllowed(anon, 'TopicA')).toBe(true);
    expect(forwardAllowed(operator, uplinkTopic('smoke', 'smoke-1', 'telemetry'))).toBe(true);
    expect(forwardAllowed(undefined, 'TopicA')).toBe(false);
  });
});

describe('topic filters [MQTT-4.7.1-2] [MQTT-4.7.1-3] [MQTT-4.7.3-1]', () => {
  it.each(['#', '+', 'a/#', '+/b', 'a/+/c', '/+', '/#', 'a//b', 'sport/tennis/#'])('%s is valid', (f) => expect(isValidTopicFilter(f)).toBe(true));
  it.each(['', 'a#', 'a+', '+a', 'a/#/b', 'a/b#', '##', 'a/\u0000'])('%s is malformed', (f) => expect(isValidTopicFilter(f)).toBe(false));
});

describe('will policy', () => {
  it('a device will must be its own status topic', () => {
    expect(willRefusal(smoke, { topic: uplinkTopic('smoke', 'smoke-1', 'status') })).toBeNull();
    expect(willRefusal(smoke, { topic: uplinkTopic('smoke', 'smoke-1', 'event') })).not.toBeNull();
    expect(willRefusal(smoke, null)).toBeNull();
    expect(willRefusal(anon, { topic: uplinkTopic('smoke', 'smoke-1', 'status') })).not.toBeNull();
    expect(willRefusal(anon, { topic: 'clients/gone' })).toBeNull();
  });
});

describe('rate limit', () => {
  const limits = { ...DEFAULT_LIMITS, perClientRatePerSec: 10, perClientBurst: 2, qos1MaxDelayMs: 500 };
  const calm = { ingestInFlight: 0, eventLoopLagMs: 0 };

  it('QoS 0: burst passes, then drops until tokens refill', () => {
    const b = new TokenBucket(10, 2, 0);
    expect([0, 0, 0].map(() => admit(b, 0, true, calm, limits, 0).action)).toEqual(['pass', 'pass', 'drop']);
    expect(admit(b, 0, true, calm, limits, 100)).toEqual({ action: 'pass' }); // 100 ms = 1 token at 10/s
    expect(admit(b, 0, true, calm, limits, 100)).toEqual({ action: 'drop', reason: 'rate' });
  });

  it('QoS 1: held for exactly the time to the next token, disconnect past qos1MaxDelayMs', () => {
    const b = new TokenBucket(10, 2, 0);
    expect(admit(b, 1, true, calm, limits, 0)).toEqual({ action: 'pass' });
    expect(admit(b, 1, true, calm, limits, 0)).toEqual({ action: 'pass' });
    expect(admit(b, 1, true, calm, limits, 0)).toEqual({ action: 'hold', delayMs: 100 });
    expect(admit(b, 1, true, calm, limits, 0)).toEqual({ action: 'hold', delayMs: 200 });
    for (let i = 0; i < 3; i++) admit(b, 1, true, calm, limits, 0); // 300, 400, 500 ms
    expect(admit(b, 1, true, calm, limits, 0)).toEqual({ action: 'disconnect', reason: 'rate_disconnect' });
  });

  it('global limits drop QoS 0 only', () => {
    const lagging = { ingestInFlight: 0, eventLoopLagMs: 5_000 };
    const busy = { ingestInFlight: limits.maxIngestInFlight, eventLoopLagMs: 0 };
    expect(admit(new TokenBucket(10, 2, 0), 0, true, lagging, limits, 0)).toEqual({ action: 'drop', reason: 'event_loop_lag' });
    expect(admit(new TokenBucket(10, 2, 0), 0, true, busy, limits, 0)).toEqual({ action: 'drop', reason: 'ingest_overload' });
    expect(admit(new TokenBucket(10, 2, 0), 0, false, busy, limits, 0)).toEqual({ action: 'pass' });
    expect(admit(new TokenBucket(10, 2, 0), 1, true, { ...busy, ...lagging }, limits, 0)).toEqual({ action: 'pass' });
  });
});

describe('users file', () => {
  const hash = 'scrypt$32768$8$1$c2FsdA==$aGFzaA==';
  it('reads YAML and JSON lists', () => {
    expect(parseUsers(`- username: svc\n  password_hash: "${hash}"\n  role: service\n`)).toEqual([{ username: 'svc', passwordHash: hash, role: 'service' }]);
    expect(parseUsers(JSON.stringify([{ username: 'op', password_hash: hash, role: 'operator' }]))[0]!.role).toBe('operator');
  });
  it.each([
    ['not a list', 'username: x'],
    ['bad role', `- {username: a, password_hash: "${hash}", role: admin}`],
    ['plain password', '- {username: a, password_hash: secret, role: service}'],
    ['repeated name', `- {username: a, password_hash: "${hash}", role: service}\n- {username: a, password_hash: "${hash}", role: operator}`],
  ])('refuses %s with HUB_ERR_CONFIG', (_what, text) => {
    expect(() => parseUsers(text)).toThrow(expect.objectContaining({ code: 'HUB_ERR_CONFIG' }));
  });
});
