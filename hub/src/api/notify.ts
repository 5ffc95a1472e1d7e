import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { HubError } from '@gridhub/core';
import { DELIVERY_STATES, PERSON_CHANNELS, type Delivery, type Notifier } from '@gridhub/notify';
import { ANY_SESSION, roles } from '../auth/access.ts';
import { requireRole, sessionOf } from '../auth/index.ts';
import type { HubServices } from '../services.ts';
import { ErrorBody } from './errors.ts';

const lit = <T extends string>(xs: readonly T[]) => Type.Union(xs.map((x) => Type.Literal(x)));
const STAFF = ['admin', 'operator'] as const;

/** A delivery as operators see it: who, which channel, the outcome; never an address or a secret. */
export function deliveryView(d: Delivery) {
  return {
    key: d.key, eventId: d.eventId, ticketId: d.ticketId, incidentId: d.incidentId, recipient: d.recipient, channelId: d.channelId, channelType: d.channelType,
    route: d.route, title: d.notice.title, kind: d.notice.kind, priority: d.notice.priority, state: d.state, attempts: d.attempts, lastError: d.lastError,
    eventMs: d.eventMs, createdMs: d.createdMs, sentMs: d.sentMs, outcomeMs: d.outcomeMs, digest: d.requestId,
  };
}

const DeliveryList = Type.Object({ items: Type.Array(Type.Object({}, { additionalProperties: true })) });

function notifierOf(hub: HubServices): Notifier {
  if (!hub.notifier) throw new HubError('HUB_ERR_NOT_READY', ['notifications are not running']);
  return hub.notifier;
}

/**
 * Notifications (通知): the notification file (admins; secrets masked), a test message, the
 * delivery list and its dead letters (operators), each user's channel choice and web-push
 * subscriptions, and who was paged for a ticket.
 */
export const notifyRoutes: FastifyPluginAsyncTypebox<{ hub: HubServices }> = async (app, { hub }) => {
  app.get('/config', { config: { access: roles('admin') }, schema: { tags: ['notify'], summary: 'The notification file (secrets masked)', response: { 403: ErrorBody } } }, async (req) => {
    requireRole(req, ['admin'], 'read the notification configuration');
    return notifierOf(hub).config();
  });

  app.put(
    '/config',
    {
      config: { access: roles('admin') },
      schema: {
        tags: ['notify'], summary: 'Replace the notification file (YAML); a masked secret keeps the stored one',
        body: Type.Object({ yaml: Type.String({ minLength: 1, maxLength: 200_000 }) }, { additionalProperties: false }), response: { 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (req) => {
      const user = requireRole(req, ['admin'], 'change the notification configuration');
      return { file: await notifierOf(hub).putConfig(req.body.yaml, user.username) };
    },
  );

  app.post(
    '/test',
    {
      config: { access: roles(...STAFF) },
      schema: {
        tags: ['notify'], summary: 'Send a test message on one channel now',
        body: Type.Object({ channel: Type.String({ minLength: 1, maxLength: 64 }), user: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) }, { additionalProperties: false }),
      },
    },
    async (req) => {
      requireRole(req, STAFF, 'send test messages');
      return { outcome: await notifierOf(hub).test(req.body.channel, req.body.user ?? null) };
    },
  );

  app.get(
    '/deliveries',
    {
      config: { access: roles(...STAFF) },
      schema: {
        tags: ['notify'], summary: 'Deliveries, newest first; state=dead is the dead-letter list',
        querystring: Type.Object({ state: Type.Optional(lit(DELIVERY_STATES)), ticket: Type.Optional(Type.String({ maxLength: 64 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }),
        response: { 200: DeliveryList },
      },
    },
    async (req) => {
      requireRole(req, STAFF, 'read deliveries');
      return { items: (await notifierOf(hub).store.list({ state: req.query.state, ticketId: req.query.ticket, limit: req.query.limit })).map(deliveryView) };
    },
  );

  app.post(
    '/deliveries/retry',
    { config: { access: roles(...STAFF) }, schema: { tags: ['notify'], summary: 'Put a dead delivery back in the queue', body: Type.Object({ key: Type.String({ minLength: 1, maxLength: 300 }) }, { additionalProperties: false }) } },
    async (req) => {
      requireRole(req, STAFF, 'retry deliveries');
      const n = notifierOf(hub);
      if (!(await n.store.requeue(req.body.key, hub.now()))) throw new HubError('HUB_ERR_NOT_FOUND', [`dead delivery ${req.body.key}`]);
      n.kick();
      return { requeued: true };
    },
  );

  app.get('/vapid', { config: { access: ANY_SESSION }, schema: { tags: ['notify'], summary: 'The VAPID public key the PWA subscribes with (null: web push not configured)' } }, async () => ({
    publicKey: notifierOf(hub).vapidPublicKey(),
  }));

  const Subscription = Type.Object(
    { endpoint: Type.String({ pattern: '^https?://', maxLength: 2000 }), keys: Type.Object({ p256dh: Type.String({ minLength: 16, maxLength: 200 }), auth: Type.String({ minLength: 8, maxLength: 100 }) }) },
    { additionalProperties: true },
  );
  app.post('/subscriptions', { config: { access: ANY_SESSION }, schema: { tags: ['notify'], summary: 'Register this browser for web push', body: Subscription } }, async (req) => {
    const { user } = sessionOf(req);
    await notifierOf(hub).subscribe(user.id, { endpoint: req.body.endpoint, keys: req.body.keys });
    return { subscribed: true };
  });
  app.delete(
    '/subscriptions',
    { config: { access: ANY_SESSION }, schema: { tags: ['notify'], summary: 'Unregister a browser', body: Type.Object({ endpoint: Type.String({ maxLength: 2000 }) }) } },
    async (req) => ({ removed: await notifierOf(hub).unsubscribe(sessionOf(req).user.id, req.body.endpoint) }),
  );

  const Prefs = Type.Object({ channels: Type.Union([Type.Array(lit(PERSON_CHANNELS)), Type.Null()]), locale: lit(['zh', 'en'] as const) }, { additionalProperties: false });
  app.get('/me', { config: { access: ANY_SESSION }, schema: { tags: ['notify'], summary: 'My channel choice and language' } }, async (req) => notifierOf(hub).prefs(sessionOf(req).user.id));
  app.put('/me', { config: { access: ANY_SESSION }, schema: { tags: ['notify'], summary: 'Choose my channels (within what routing allows) and language', body: Prefs } }, async (req) =>
    notifierOf(hub).setPrefs(sessionOf(req).user.id, req.body),
  );
};

/** GET /api/tickets/:id/pages: who was paged for a ticket, on which channel, and the outcome (scope checked as for the ticket). */
export const ticketPagesRoutes: FastifyPluginAsyncTypebox<{ hub: HubServices }> = async (app, { hub }) => {
  app.get(
    '/:id/pages',
    { config: { access: ANY_SESSION }, schema: { tags: ['tickets'], summary: 'Who was paged for this ticket, on which channel, delivered or failed', params: Type.Object({ id: Type.String({ maxLength: 64 }) }), response: { 200: DeliveryList } } },
    async (req) => ({ items: hub.notifier ? (await hub.notifier.store.list({ ticketId: req.params.id })).map(deliveryView).reverse() : [] }),
  );
};
