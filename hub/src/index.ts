export { startHub, type Hub } from './hub.ts';
export { resolveConfig, configFromEnv, DEFAULT_CONFIG, ENV_VARS, type HubConfig } from './config.ts';
export { buildApp } from './app.ts';
