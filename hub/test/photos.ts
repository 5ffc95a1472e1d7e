import type { Hub } from '../src/index.ts';

/** A small JPEG-framed file with an Exif APP1 segment that names a GPS position (what a phone camera writes). */
export function jpegWithLocation(): Buffer {
  const exif = Buffer.concat([Buffer.from('Exif\u0000\u0000', 'latin1'), Buffer.from('MM\u0000*GPSLatitude 31.2304 N GPSLongitude 121.4737 E', 'latin1')]);
  const app1 = Buffer.concat([Buffer.from([0xff, 0xe1]), u16(exif.length + 2), exif]);
  const app0 = Buffer.concat([Buffer.from([0xff, 0xe0]), u16(16), Buffer.from('JFIF\u0000\u0001\u0001\u0000\u0000\u0001\u0000\u0001\u0000\u0000', 'latin1')]);
  const sos = Buffer.concat([Buffer.from([0xff, 0xda]), u16(8), Buffer.from([1, 1, 0, 0, 0x3f, 0]), Buffer.from('pixels'), Buffer.from([0xff, 0xd9])]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, app1, sos]);
}
const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);

/** POST files as multipart/form-data (field `photo`) to a ticket's photos. */
export async function uploadPhotos(hub: Hub, ticketId: string, token: string, files: { name: string; type: string; bytes: Buffer }[]) {
  const boundary = `----gridhub${Date.now()}`;
  const parts = files.map((f) => Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="photo"; filename="${f.name}"\r\nContent-Type: ${f.type}\r\n\r\n`), f.bytes, Buffer.from('\r\n')]));
  const payload = Buffer.concat([...parts, Buffer.from(`--${boundary}--\r\n`)]);
  const res = await hub.app.inject({ method: 'POST', url: `/api/tickets/${ticketId}/photos`, headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload });
  return { status: res.statusCode, body: res.json() as any };
}
