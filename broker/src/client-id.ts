import type { AedesOptions, Client } from 'aedes';

/**
 * Client identifier rules the hub adds to aedes 1.2.
 *
 * - [MQTT-3.1.3-8] A zero-length ClientId with CleanSession=0 MUST get CONNACK 0x02 (identifier
 *   rejected) and the connection closed. Bare aedes accepts it and invents an id, and by the
 *   time `authenticate` runs the original id is gone; so `preConnect` notes it (and the will,
 *   which `authenticate` does not receive) from the CONNECT packet.
 * - [MQTT-3.1.3-9] A device's client id must equal its username (its device id); anything
 *   else is rejected with 0x02 too.
 */
interface ConnectFacts {
  emptyClientId: boolean;
  will: { topic: string } | null;
}

const facts = new WeakMap<Client, ConnectFacts>();

type PreConnect = NonNullable<AedesOptions['preConnect']>;

export const preConnect: PreConnect = (client, packet, callback) => {
  facts.set(client, { emptyClientId: !packet.clientId, will: packet.will ?? null });
  callback(null, true);
};

export function connectWill(client: Client): { topic: string } | null {
  return facts.get(client)?.will ?? null;
}

/** Returns why the client id is refused, or null. Pass `deviceId` for device logins. */
export function clientIdRefusal(client: Client, deviceId?: string): string | null {
  const empty = facts.get(client)?.emptyClientId ?? false;
  // [MQTT-3.1.3-8]
  if (empty && !client.clean) return 'zero-length client id requires clean session';
  // [MQTT-3.1.3-9]
  if (deviceId !== undefined && (empty || client.id !== deviceId)) return 'device client id must equal its username';
  return null;
}
