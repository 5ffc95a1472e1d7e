import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { HubError, isSecretHash } from '@gridhub/core';
import type { BrokerUser } from './types.ts';

/**
 * The broker's accounts file (HUB_MQTT_USERS): a YAML or JSON list of
 * `{ username, password_hash, role }`, role `service` or `operator`, password_hash from
 * `hashSecret(password, PASSWORD_COST)`. YAML is a superset of JSON, so one parser reads both.
 */
export function parseUsers(text: string): BrokerUser[] {
  const doc: unknown = parse(text);
  if (!Array.isArray(doc)) throw new HubError('HUB_ERR_CONFIG', ['HUB_MQTT_USERS must be a list of {username, password_hash, role}']);
  const seen = new Set<string>();
  return doc.map((entry: unknown, i): BrokerUser => {
    const e = (entry ?? {}) as Record<string, unknown>;
    const { username, password_hash: passwordHash, role } = e;
    if (typeof username !== 'string' || username.length === 0 || seen.has(username)) {
      throw new HubError('HUB_ERR_CONFIG', [`HUB_MQTT_USERS[${i}].username is missing or repeated`]);
    }
    if (typeof passwordHash !== 'string' || !isSecretHash(passwordHash)) {
      throw new HubError('HUB_ERR_CONFIG', [`HUB_MQTT_USERS[${i}].password_hash is not a scrypt hash`]);
    }
    if (role !== 'service' && role !== 'operator') throw new HubError('HUB_ERR_CONFIG', [`HUB_MQTT_USERS[${i}].role must be service or operator`]);
    seen.add(username);
    return { username, passwordHash, role };
  });
}

export async function loadUsersFile(path: string): Promise<BrokerUser[]> {
  return parseUsers(await readFile(path, 'utf8'));
}
