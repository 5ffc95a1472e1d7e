export type * from './types.ts';
export { createBroker } from './broker.ts';
export { DEFAULT_LIMITS, DEFAULT_MAX_PACKET_BYTES } from './limits.ts';
export { loadUsersFile, parseUsers } from './users.ts';
export { SecretVerifier } from './secret-cache.ts';
