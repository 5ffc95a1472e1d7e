import type { UserRole } from '@gridhub/core';

/**
 * Who may call a route, declared in the route's own options (`{ config: { access } }`) and checked
 * by the auth plugin after routing, on the matched route (`request.routeOptions.config.access`),
 * never on the raw URL. A route without a declaration stops the start.
 *   - `PUBLIC`: no session (health, login, the dashboard's files).
 *   - `ANY_SESSION`: any logged-in user; the handler narrows by scope.
 *   - `roles(...)`: a session with one of these roles.
 * Scope (grid, department, the `:id` resource) is checked on top of this, as before.
 */
export type RouteAccess = { readonly public: true } | { readonly roles: 'any' | readonly UserRole[] };

export const PUBLIC: RouteAccess = { public: true };
export const ANY_SESSION: RouteAccess = { roles: 'any' };
export const roles = (...r: readonly UserRole[]): RouteAccess => ({ roles: r });

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}
