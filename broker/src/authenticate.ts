import type { AedesOptions, AuthenticateError, Client } from 'aedes';
import { isValidDeviceId } from '@gridhub/core';
import { clientIdRefusal, connectWill } from './client-id.ts';
import type { SecretVerifier } from './secret-cache.ts';
import type { BrokerUser, ClientIdentity, DeviceCredentials } from './types.ts';
import { willRefusal } from './will.ts';

/**
 * The hub's `authenticate` policy. Who the client is follows from the username:
 * - a configured user (service / operator): password checked against its scrypt hash;
 * - any other username is a device id: client id must equal it ([MQTT-3.1.3-9], 0x02), the
 *   password is the device secret, checked against `deviceCredentials(id).secretHash`;
 *   unknown device or wrong secret: 0x04;
 * - no username: anonymous, only when `allowAnonymous` (else 0x05).
 * Then the client id rules ([MQTT-3.1.3-8]: 0x02) and the will policy (0x05). When too many
 * verifications are queued: 0x03 (server unavailable), the client retries later.
 * The resulting identity is kept per client in `identities` for the other policies.
 */
export interface AuthenticateDeps {
  deviceCredentials: (deviceId: string) => Promise<DeviceCredentials | undefined>;
  users: ReadonlyMap<string, BrokerUser>;
  allowAnonymous: boolean;
  verifier: SecretVerifier;
  identities: WeakMap<Client, ClientIdentity>;
  onRefused: (kind: 'auth' | 'policy', client: Client, reason: string) => void;
}

type Authenticate = NonNullable<AedesOptions['authenticate']>;

/** CONNACK return codes (MQTT 3.1.1 table 3.1). */
const Code = { IdentifierRejected: 2, ServerUnavailable: 3, BadUsernameOrPassword: 4, NotAuthorized: 5 } as const;
type Code = (typeof Code)[keyof typeof Code];

class Refusal extends Error {
  constructor(
    readonly returnCode: Code,
    message: string,
  ) {
    super(message);
  }
}

async function identify(deps: AuthenticateDeps, client: Client, username: string | undefined, password: Buffer | undefined): Promise<ClientIdentity> {
  if (username === undefined) {
    if (!deps.allowAnonymous) throw new Refusal(Code.NotAuthorized, 'anonymous clients are not allowed');
    return { type: 'anonymous' };
  }
  const secret = password?.toString('utf8') ?? '';
  const user = deps.users.get(username);
  if (user) {
    const r = await deps.verifier.verify(`user:${username}`, secret, user.passwordHash);
    if (r === 'ok') return user.applications ? { type: 'user', username, role: user.role, applications: user.applications } : { type: 'user', username, role: user.role };
    throw r === 'busy' ? new Refusal(Code.ServerUnavailable, 'busy') : new Refusal(Code.BadUsernameOrPassword, 'bad password');
  }
  if (!isValidDeviceId(username)) throw new Refusal(Code.BadUsernameOrPassword, 'not a device id');
  const idRefusal = clientIdRefusal(client, username);
  if (idRefusal) throw new Refusal(Code.IdentifierRejected, idRefusal);
  const creds = await deps.deviceCredentials(username);
  if (!creds) throw new Refusal(Code.BadUsernameOrPassword, 'unknown device');
  const r = await deps.verifier.verify(`device:${username}`, secret, creds.secretHash);
  if (r === 'ok') return { type: 'device', deviceId: username, kind: creds.kind };
  throw r === 'busy' ? new Refusal(Code.ServerUnavailable, 'busy') : new Refusal(Code.BadUsernameOrPassword, 'bad secret');
}

async function authenticateClient(deps: AuthenticateDeps, client: Client, username: string | undefined, password: Buffer | undefined): Promise<ClientIdentity> {
  const idRefusal = clientIdRefusal(client);
  if (idRefusal) throw new Refusal(Code.IdentifierRejected, idRefusal);
  const who = await identify(deps, client, username, password);
  const willRef = willRefusal(who, connectWill(client));
  if (willRef) throw new Refusal(Code.NotAuthorized, willRef);
  return who;
}

export function createAuthenticate(deps: AuthenticateDeps): Authenticate {
  return (client, username, password, done) => {
    authenticateClient(deps, client, username ?? undefined, password ?? undefined).then(
      (who) => {
        deps.identities.set(client, who);
        done(null, true);
      },
      (err: unknown) => {
        const refusal = err instanceof Refusal ? err : new Refusal(Code.ServerUnavailable, 'credential lookup failed');
        deps.onRefused(refusal.returnCode === Code.BadUsernameOrPassword ? 'auth' : 'policy', client, refusal.message);
        done(Object.assign(new Error(refusal.message), { returnCode: refusal.returnCode }) as AuthenticateError, false);
      },
    );
  };
}
