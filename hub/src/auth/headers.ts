import type { FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';

/**
 * The Content-Security-Policy the built dashboard passes (the end-to-end test runs with it
 * enforced and fails on any violation): scripts only from the hub's own files (Vite emits no
 * inline script); styles also inline, because Ant Design's CSS-in-JS inserts <style> elements at
 * run time; images only from the hub (photos it keeps, data:/blob: for a photo being picked);
 * connections (REST, Socket.IO, /mqtt) only to the hub. No frames, no plugins, no <base>.
 */
export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  workerSrc: ["'self'"],
  manifestSrc: ["'self'"],
  mediaSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  frameSrc: ["'none'"],
  upgradeInsecureRequests: null,
};

/**
 * Security headers on every answer (@fastify/helmet): the CSP above, X-Frame-Options DENY,
 * nosniff, Referrer-Policy no-referrer, and HSTS only behind HTTPS (HUB_COOKIE_SECURE=1).
 */
export async function securityHeaders(app: FastifyInstance, opts: { https: boolean }): Promise<void> {
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: { ...CSP_DIRECTIVES, upgradeInsecureRequests: opts.https ? [] : null } },
    frameguard: { action: 'deny' },
    noSniff: true,
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: opts.https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });
}
