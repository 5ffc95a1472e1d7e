export * from './kinds.ts';
export * from './topics.ts';
export * from './payloads/index.ts';
export * from './errors.ts';
export * from './site.ts';
export * from './secret.ts';
export * from './decode.ts';
export * from './reading.ts';
