export type * from './types.ts';
export type { StoreDatabase } from './schema.ts';
export type { StoreOptions } from './db.ts';
export type { SiteProblem } from './site/check.ts';
export { createStore, type SqlHubStore } from './store.ts';
export { loadSiteFile, parseSiteYaml, validateSite } from './site/parse.ts';
export { DEMO_SITE_PATH, DEMO_STREET_ID, demoDeviceSecret } from './demo.ts';
export { MIGRATIONS } from './migrations/index.ts';
export { EventLog, readCursor, writeCursor } from './events.ts';
