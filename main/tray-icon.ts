import { nativeImage, type NativeImage } from 'electron';

const SIZE = 32;

/**
 * Drawn in code so the tray needs no asset pipeline yet: a rounded teal
 * square, rendered at 2x for sharp 16px trays. Replace with real artwork.
 */
export function createTrayIcon(): NativeImage {
  const pixels = Buffer.alloc(SIZE * SIZE * 4);
  const radius = 8;
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const dx = Math.max(radius - x, x - (SIZE - 1 - radius), 0);
      const dy = Math.max(radius - y, y - (SIZE - 1 - radius), 0);
      const outside = Math.hypot(dx, dy) - radius;
      const alpha = Math.round(255 * Math.min(1, Math.max(0, 0.5 - outside)));
      const offset = (y * SIZE + x) * 4;
      // createFromBitmap takes Skia's native layout: BGRA, premultiplied alpha.
      pixels[offset] = Math.round((0x85 * alpha) / 255);
      pixels[offset + 1] = Math.round((0x72 * alpha) / 255);
      pixels[offset + 2] = Math.round((0x0b * alpha) / 255);
      pixels[offset + 3] = alpha;
    }
  }
  return nativeImage.createFromBitmap(pixels, { width: SIZE, height: SIZE, scaleFactor: 2 });
}
