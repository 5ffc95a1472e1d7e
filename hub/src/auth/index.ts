export { UserStore, tokenHash, type NewUser, type Session, type LiveSession, type SessionsEnded } from './users.ts';
export { LoginGuard, addressKey, loginDelayMs, type LoginPolicy, type LoginStats, type LockEvent } from './limiter.ts';
export { staffView, officerView, resolveScope, isOfficer, type StaffView, type GridsIn } from './scope.ts';
export { scopeOf, seesTicket, seesGrid, scopedTicketFilter, scopedGrids, realtimeUserOf, type AccessScope } from './scope.ts';
export { authPlugin, requireRole, sessionOf, sessionToken, forbidden, publicRoutes, defaultPublic, SESSION_COOKIE, CSRF_HEADER, type GuardedResource, type AuthPluginOptions } from './plugin.ts';
export { originAllowed, parseOrigins } from './origin.ts';
export { PUBLIC, ANY_SESSION, roles, type RouteAccess } from './access.ts';
export { seedAdmin, seedDemoUsers, demoUsers, demoPassword } from './seed.ts';
