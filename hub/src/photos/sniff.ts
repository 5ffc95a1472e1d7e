/**
 * What an uploaded photo is, by its bytes (never its name or the type the client claims), and
 * its metadata: pure functions over a Buffer.
 */
export type PhotoType = 'image/jpeg' | 'image/png' | 'image/webp';

/** The image type of these bytes, or a word for what they are instead (for the coded error). */
export function sniffPhoto(b: Buffer): { type: PhotoType } | { refused: string } {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return { type: 'image/jpeg' };
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return { type: 'image/png' };
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') return { type: 'image/webp' };
  const head = b.subarray(0, 512).toString('utf8').replace(/^\uFEFF/, '').trimStart().toLowerCase();
  if (/^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!doctype svg|<svg)/.test(head)) return { refused: 'SVG' };
  if (/^(<!doctype html|<html|<head|<body|<script|<iframe|<!--)/.test(head) || head.includes('<script')) return { refused: 'HTML' };
  if (b.length >= 6 && /^GIF8[79]a$/.test(b.toString('latin1', 0, 6))) return { refused: 'GIF' };
  return { refused: 'not an image' };
}

/** JPEG APP1 segments that carry location: Exif (GPS IFD) and XMP. */
const isLocationApp1 = (seg: Buffer) => seg.toString('latin1', 4, 10) === 'Exif\u0000\u0000' || seg.toString('latin1', 4, 33).startsWith('http://ns.adobe.com/xap/1.0/');

/**
 * The photo without its EXIF and XMP metadata (where GPS lives): JPEG APP1 segments, PNG eXIf
 * and text chunks, WebP EXIF/XMP chunks. The picture itself is untouched.
 */
export function stripMetadata(b: Buffer, type: PhotoType): Buffer {
  if (type === 'image/jpeg') {
    const parts: Buffer[] = [b.subarray(0, 2)];
    let i = 2;
    while (i + 4 <= b.length && b[i] === 0xff) {
      const marker = b[i + 1]!;
      if (marker === 0xda) break; // start of scan: the rest is image data
      const len = b.readUInt16BE(i + 2);
      const seg = b.subarray(i, i + 2 + len);
      if (!(marker === 0xe1 && isLocationApp1(seg))) parts.push(seg);
      i += 2 + len;
    }
    parts.push(b.subarray(i));
    return Buffer.concat(parts);
  }
  if (type === 'image/png') {
    const parts: Buffer[] = [b.subarray(0, 8)];
    let i = 8;
    while (i + 12 <= b.length) {
      const len = b.readUInt32BE(i);
      const kind = b.toString('latin1', i + 4, i + 8);
      const chunk = b.subarray(i, i + 12 + len);
      if (!['eXIf', 'tEXt', 'iTXt', 'zTXt'].includes(kind)) parts.push(chunk);
      i += 12 + len;
    }
    return Buffer.concat(parts);
  }
  const parts: Buffer[] = [];
  let i = 12;
  while (i + 8 <= b.length) {
    const kind = b.toString('latin1', i, i + 4);
    const len = b.readUInt32LE(i + 4);
    const chunk = Buffer.from(b.subarray(i, i + 8 + len + (len % 2)));
    if (kind === 'VP8X' && chunk.length > 8) chunk[8] = chunk[8]! & ~0x0c; // no EXIF, no XMP flags
    if (kind !== 'EXIF' && kind !== 'XMP ') parts.push(chunk);
    i += 8 + len + (len % 2);
  }
  const body = Buffer.concat(parts);
  const header = Buffer.alloc(12);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(body.length + 4, 4);
  header.write('WEBP', 8, 'latin1');
  return Buffer.concat([header, body]);
}
