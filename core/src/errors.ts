/**
 * One registry of coded errors (Fastify's lib/errors.js is the model). Every error the hub
 * returns over HTTP, a socket ack or its refusal log carries one of these codes; anything thrown
 * is turned into one at each boundary. docs/errors.md documents every code (a test checks).
 */
export const HUB_ERRORS = {
  // Ingest: why a device message was refused (recorded per device, never stored as a reading)
  HUB_ERR_TOPIC: { status: 400, message: 'topic is not v1/{kind}/{deviceId}/{telemetry|event|status}' },
  HUB_ERR_PAYLOAD_TOO_LARGE: { status: 413, message: 'payload of %s bytes exceeds the limit of %s bytes' },
  HUB_ERR_PAYLOAD_ENCODING: { status: 400, message: 'payload is not valid UTF-8' },
  HUB_ERR_PAYLOAD_JSON: { status: 400, message: 'payload is not JSON: %s' },
  HUB_ERR_PAYLOAD_SCHEMA: { status: 400, message: 'payload does not match %s: %s' },
  HUB_ERR_UNKNOWN_DEVICE: { status: 404, message: 'device %s is not in the site' },
  HUB_ERR_KIND_MISMATCH: { status: 400, message: 'device %s is a %s, not a %s' },
  HUB_ERR_SHED: { status: 503, message: 'message shed under load: %s' },
  HUB_ERR_SPOOL_FULL: { status: 507, message: 'spool disk budget exhausted' },
  HUB_ERR_SPOOL_IO: { status: 503, message: 'spool could not write to disk: %s' },
  // Network servers and carrier platforms (ChirpStack, The Things Stack, CTWing, OneNET, camera boxes)
  HUB_ERR_UNCLAIMED_DEVICE: { status: 404, message: 'no device in the site has %s %s' },
  HUB_ERR_NETWORK_MESSAGE: { status: 400, message: '%s message is malformed: %s' },
  HUB_ERR_NETWORK_MISMATCH: { status: 403, message: '%s' },
  HUB_ERR_DEVICE_MODEL: { status: 400, message: 'device %s: %s' },
  HUB_ERR_SIGNATURE: { status: 401, message: '%s' },
  // Device models and codecs (设备型号): a vendor frame that could not become contract messages
  HUB_ERR_CODEC_UNKNOWN_MODEL: { status: 404, message: 'device model %s is not known' },
  HUB_ERR_CODEC_DECODE: { status: 422, message: 'the %s codec refused the frame: %s' },
  HUB_ERR_CODEC_MAPPING: { status: 422, message: 'the %s codec output does not map to the contract: %s' },
  HUB_ERR_CODEC_TIMEOUT: { status: 422, message: 'the %s codec was stopped: %s' },
  HUB_ERR_CODEC_MEMORY: { status: 422, message: 'the %s codec was stopped: memory %s' },
  HUB_ERR_CODEC_FORBIDDEN: { status: 422, message: 'the %s codec reached outside its sandbox: %s' },
  HUB_ERR_CODEC_THREW: { status: 422, message: 'the %s codec threw: %s' },
  HUB_ERR_CODEC_OUTPUT: { status: 422, message: 'the %s codec returned an unusable result: %s' },
  HUB_ERR_CODEC_INVALID: { status: 400, message: 'the uploaded %s codec is invalid: %s' },
  HUB_ERR_CODEC_BUSY: { status: 503, message: 'the codec sandbox is busy: %s' },
  // Broker
  HUB_ERR_AUTH: { status: 401, message: 'bad device id or secret' },
  HUB_ERR_FORBIDDEN_TOPIC: { status: 403, message: 'client %s may not %s %s' },
  HUB_ERR_PROTOCOL: { status: 400, message: 'MQTT protocol violation: %s' },
  // Site file and configuration
  HUB_ERR_SITE_INVALID: { status: 400, message: 'site file is invalid: %s' },
  HUB_ERR_CONFIG: { status: 500, message: 'configuration is invalid: %s' },
  HUB_ERR_SITE_RETIRE_ACTIVE: { status: 409, message: '%s still has active nodes below it (%s): retire them first' },
  HUB_ERR_SITE_RETIRED: { status: 409, message: '%s is retired: %s' },
  HUB_ERR_RULESET_INVALID: { status: 400, message: 'rule set is invalid: %s' },
  // Tickets (工单)
  HUB_ERR_TICKET_NOT_FOUND: { status: 404, message: 'ticket %s not found' },
  HUB_ERR_TICKET_TRANSITION: { status: 409, message: 'cannot %s a %s ticket' },
  HUB_ERR_TICKET_NOTE_REQUIRED: { status: 400, message: '%s needs %s' },
  HUB_ERR_TICKET_CONFLICT: { status: 409, message: 'ticket %s changed meanwhile' },
  HUB_ERR_INCIDENT_NOT_FOUND: { status: 404, message: 'incident %s not found' },
  // Users and sessions
  HUB_ERR_UNAUTHENTICATED: { status: 401, message: 'log in first' },
  HUB_ERR_LOGIN: { status: 401, message: 'wrong user name or password' },
  HUB_ERR_LOGIN_RATE: { status: 429, message: 'too many login attempts; try again in %s s' },
  HUB_ERR_FORBIDDEN: { status: 403, message: 'your role may not %s' },
  HUB_ERR_ORIGIN: { status: 403, message: 'requests from origin %s are not allowed (HUB_ALLOWED_ORIGINS)' },
  HUB_ERR_CSRF: { status: 403, message: 'a state-changing request with the session cookie needs the %s: 1 header' },
  HUB_ERR_PHOTO_TYPE: { status: 415, message: 'a photo must be a JPEG, PNG or WebP image; this is %s' },
  HUB_ERR_PHOTO_TOO_LARGE: { status: 413, message: 'a photo may have at most %s bytes' },
  // Notifications
  HUB_ERR_NOTIFY_CONFIG: { status: 400, message: 'notification file is invalid: %s' },
  HUB_ERR_SECRET_KEY: { status: 500, message: 'secret key problem: %s' },
  // HTTP API
  HUB_ERR_VALIDATION: { status: 400, message: 'request is invalid: %s' },
  HUB_ERR_NOT_FOUND: { status: 404, message: '%s not found' },
  HUB_ERR_NOT_READY: { status: 503, message: 'hub is not ready: %s' },
  HUB_ERR_STORE_UNAVAILABLE: { status: 503, message: 'the store is unreachable; try again shortly (alarms are still taken)' },
  HUB_ERR_INTERNAL: { status: 500, message: 'internal error' },
} as const satisfies Record<string, { status: number; message: string }>;

export type HubErrorCode = keyof typeof HUB_ERRORS;

export class HubError extends Error {
  readonly code: HubErrorCode;
  readonly status: number;
  readonly details: unknown;

  constructor(code: HubErrorCode, args: readonly (string | number)[] = [], details?: unknown) {
    const spec = HUB_ERRORS[code];
    let i = 0;
    super(spec.message.replace(/%s/g, () => String(args[i++] ?? '')));
    this.name = 'HubError';
    this.code = code;
    this.status = spec.status;
    this.details = details;
  }

  toJSON(): { code: HubErrorCode; message: string; details?: unknown } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function hubError(code: HubErrorCode, ...args: (string | number)[]): HubError {
  return new HubError(code, args);
}

export function isHubError(err: unknown): err is HubError {
  return err instanceof HubError;
}

/** At a boundary: anything thrown becomes a coded error; unknown causes become HUB_ERR_INTERNAL. */
export function toHubError(err: unknown): HubError {
  return isHubError(err) ? err : new HubError('HUB_ERR_INTERNAL');
}
