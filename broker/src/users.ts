import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { HubError, isSecretHash } from '@gridhub/core';
import type { BrokerUser } from './types.ts';

/**
 * The broker's accounts file (HUB_MQTT_USERS): a YAML or JSON list of
 * `{ username, password_hash, role, applications? }`, role `service` or `operator`, password_hash from
 * `hashSecret(password, PASSWORD_COST)`; `applications` binds a network server's service account
 * to the applications it may publish integration events for. YAML is a superset of JSON, so one parser reads both.
 */
export function parseUsers(text: string): BrokerUser[] {
  const doc: unknown = parse(text);
  if (!Array.isArray(doc)) throw new HubError('HUB_ERR_CONFIG', ['HUB_MQTT_USERS must be a list of {username, password_hash, role}']);
  const seen = new Set<string>();
  return doc.map((entry: unknown, i): BrokerUser => {
    const e = (entry ?? {}) as Record<string, unknown>;
    const { username, password_hash: passwordHash, role, applications } = e;
    if (typeof username !== 'string' || username.length === 0 || seen.has(username)) {
      throw new HubError('HUB_ERR_CONFIG', [`HUB_MQTT_USERS[${i}].username is missing or repeated`]);
    }
    if (typeof passwordHash !== 'string' || !isSecretHash(passwordHash)) {
      throw new HubError('HUB_ERR_CONFIG', [`HUB_MQTT_USERS[${i}].password_hash is not a scrypt hash`]);
    }
    if (role !== 'service' && role !== 'operator') throw new HubError('HUB_ERR_CONFIG', [`HUB_MQTT_USERS[${i}].role must be service or operator`]);
    if (applications !== undefined && (role !== 'service' || !Array.isArray(applications) || !applications.every((a) => typeof a === 'string' && a.length > 0))) {
      throw new HubError('HUB_ERR_CONFIG', [`HUB_MQTT_USERS[${i}].applications must be a list of application ids on a service account`]);
    }
    seen.add(username);
    return applications === undefined ? { username, passwordHash, role } : { username, passwordHash, role, applications: applications as string[] };
  });
}

export async function loadUsersFile(path: string): Promise<BrokerUser[]> {
  return parseUsers(await readFile(path, 'utf8'));
}
