/**
 * A photo from the phone's camera as a JPEG data URL, scaled to at most `maxSide` pixels so it
 * fits the tickets API's limit (photos travel as data URLs: the hub has no upload route yet).
 */
export async function photoDataUrl(file: File, maxSide = 1280, quality = 0.7): Promise<string> {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return canvas.toDataURL('image/jpeg', quality);
}
