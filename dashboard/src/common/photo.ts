import { api } from '../api.ts';

const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

/** A camera photo as it goes to the hub: as taken (the hub keeps or strips its location), scaled to a JPEG only if too large. */
async function forUpload(file: File, maxSide = 2048, quality = 0.8): Promise<Blob> {
  if (file.size <= MAX_UPLOAD_BYTES) return file;
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('photo could not be encoded'))), 'image/jpeg', quality));
}

/**
 * Uploads photos to the hub, which keeps them as files under the ticket; answers their hub URLs
 * (the only URLs a resolution may name, and the only images a screen ever loads).
 */
export async function uploadPhotos(ticketId: string, files: readonly File[]): Promise<string[]> {
  const form = new FormData();
  for (const f of files) form.append('photo', await forUpload(f), f.name || 'photo.jpg');
  const res = await api<{ photos: { url: string }[] }>(`/api/tickets/${encodeURIComponent(ticketId)}/photos`, { method: 'POST', body: form });
  return res.photos.map((p) => p.url);
}

/** A URL this screen may load as an image: the hub's own photos only (never a third party's). */
export const isHubPhoto = (url: string): boolean => /^\/api\/tickets\/[^/]+\/photos\/[A-Za-z0-9_-]+$/.test(url);
