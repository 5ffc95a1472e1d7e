export { UserStore, type NewUser, type Session } from './users.ts';
export { AttemptLimiter } from './limiter.ts';
export { scopeOf, seesTicket, seesGrid, scopedTicketFilter, scopedGrids, realtimeUserOf, type AccessScope } from './scope.ts';
export { authPlugin, requireRole, sessionOf, sessionToken, forbidden, isPublicPath, SESSION_COOKIE, type GuardedResource, type AuthPluginOptions } from './plugin.ts';
export { PUBLIC, ANY_SESSION, roles, type RouteAccess } from './access.ts';
export { seedAdmin, seedDemoUsers, demoUsers, demoPassword } from './seed.ts';
