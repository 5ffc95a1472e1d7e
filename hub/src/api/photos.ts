import { createHash, randomBytes } from 'node:crypto';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ACTION_ROLES, HubError } from '@gridhub/core';
import { ANY_SESSION, forbidden, roles, sessionOf } from '../auth/index.ts';
import { sniffPhoto, stripMetadata } from '../photos/sniff.ts';
import type { HubServices } from '../services.ts';
import { ErrorBody } from './errors.ts';

export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
export const MAX_PHOTOS_PER_UPLOAD = 6;
const TicketId = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$' });
const PhotoId = Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}$' });

/** The one URL a photo has: the hub's own, under its ticket (a resolution names photos by it). */
export const photoUrl = (ticketId: string, photoId: string): string => `/api/tickets/${ticketId}/photos/${photoId}`;
export const PHOTO_URL = /^\/api\/tickets\/([A-Za-z0-9][A-Za-z0-9._:-]{0,127})\/photos\/([A-Za-z0-9_-]{16,64})$/;

/** The photos a resolution names that are not this ticket's, kept by the hub (empty: all good). */
export async function foreignPhotos(hub: HubServices, ticketId: string, urls: readonly string[]): Promise<string[]> {
  const bad: string[] = [];
  for (const url of urls) {
    const m = PHOTO_URL.exec(url);
    if (!(m && m[1] === ticketId && (await hub.photos.meta(ticketId, m[2]!)))) bad.push(url);
  }
  return bad;
}

/**
 * Resolution photos (处置照片) as files the hub keeps: POST multipart (field `photo`, up to 6 of
 * at most 10 MiB), each checked by its bytes (JPEG, PNG, WebP; an SVG or an HTML file under any
 * name is refused with HUB_ERR_PHOTO_TYPE), stored through `hub.photos` (files under
 * HUB_DATA_DIR), served under the ticket's URL so only who may see the ticket sees them (the auth
 * plugin checks `:id`). EXIF and XMP (where GPS lives) are kept only when the assignee took the
 * photo on site (the ticket is on_site and theirs); otherwise stripped before storing.
 */
export const photosRoutes: FastifyPluginAsyncTypebox<{ hub: HubServices }> = async (app, { hub }) => {
  await app.register(multipart, { limits: { fileSize: MAX_PHOTO_BYTES, files: MAX_PHOTOS_PER_UPLOAD, fields: 4, parts: MAX_PHOTOS_PER_UPLOAD + 4, headerPairs: 50 } });

  app.post(
    '/:id/photos',
    {
      config: { access: roles(...ACTION_ROLES.resolve) },
      schema: {
        tags: ['tickets'],
        summary: 'Upload resolution photos (multipart, field `photo`; JPEG, PNG or WebP, at most 6 of 10 MiB); answers their hub URLs',
        params: Type.Object({ id: TicketId }),
        response: { 201: Type.Object({ photos: Type.Array(Type.Object({ id: Type.String(), url: Type.String(), type: Type.String(), bytes: Type.Number(), locationKept: Type.Boolean() })) }), 403: ErrorBody, 404: ErrorBody, 413: ErrorBody, 415: ErrorBody },
      },
    },
    async (req, reply) => {
      const { user } = sessionOf(req);
      const ticket = await hub.rules.tickets.get(req.params.id);
      if (!ticket) throw new HubError('HUB_ERR_TICKET_NOT_FOUND', [req.params.id]);
      if (user.role === 'warden' && ticket.assigneeId !== user.id) throw forbidden('add photos to a ticket assigned to someone else');
      if (!req.isMultipart()) throw new HubError('HUB_ERR_VALIDATION', ['send multipart/form-data with one or more `photo` files']);
      const files: Buffer[] = [];
      try {
        for await (const part of req.files()) files.push(await part.toBuffer());
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === 'FST_REQ_FILE_TOO_LARGE') throw new HubError('HUB_ERR_PHOTO_TOO_LARGE', [MAX_PHOTO_BYTES]);
        if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT') throw new HubError('HUB_ERR_PHOTO_TOO_LARGE', [`${MAX_PHOTOS_PER_UPLOAD} photos of ${MAX_PHOTO_BYTES}`]);
        throw err;
      }
      if (!files.length) throw new HubError('HUB_ERR_VALIDATION', ['no photo in the upload']);
      // All checked before any is kept: one refused file stores nothing of the upload.
      const typed = files.map((bytes) => {
        const s = sniffPhoto(bytes);
        if ('refused' in s) throw new HubError('HUB_ERR_PHOTO_TYPE', [s.refused]);
        return { bytes, type: s.type };
      });
      const onSite = ticket.status === 'on_site' && ticket.assigneeId === user.id;
      const out = [];
      for (const f of typed) {
        const bytes = onSite ? f.bytes : stripMetadata(f.bytes, f.type);
        const id = randomBytes(18).toString('base64url');
        await hub.photos.add({ id, ticketId: ticket.id, contentType: f.type, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), uploadedBy: user.id, createdMs: hub.now(), locationKept: onSite }, bytes);
        out.push({ id, url: photoUrl(ticket.id, id), type: f.type, bytes: bytes.length, locationKept: onSite });
      }
      return reply.status(201).send({ photos: out });
    },
  );

  app.get(
    '/:id/photos/:photoId',
    { config: { access: ANY_SESSION }, schema: { tags: ['tickets'], summary: "One of a ticket's photos (to who may see the ticket)", params: Type.Object({ id: TicketId, photoId: PhotoId }), response: { 404: ErrorBody } } },
    async (req, reply) => {
      const photo = await hub.photos.get(req.params.id, req.params.photoId);
      if (!photo) throw new HubError('HUB_ERR_NOT_FOUND', [`photo ${req.params.photoId}`]);
      return reply
        .type(photo.meta.contentType)
        .header('cache-control', 'private, no-store') // a home's photo stays off a shared control-room PC's disk
        .header('content-disposition', 'inline')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .send(photo.bytes);
    },
  );
};
