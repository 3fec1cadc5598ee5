// Photos the tests draw themselves (so functional tests need no data folder): a sky gradient, a
// textured ground band and a few coloured discs and boxes at seeded places, as JPEG bytes.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { mulberry32 } from '../../src/core/random';

export interface SyntheticPhoto {
  name: string;
  width: number;
  height: number;
  rgba: Uint8Array;
  jpeg: Uint8Array;
}

const OBJECT_COLOURS: [number, number, number][] = [[184, 50, 42], [240, 200, 40], [40, 90, 200], [230, 230, 230], [30, 30, 30]];

export function syntheticPhoto(seed: number, width = 160, height = 120): SyntheticPhoto {
  const rng = mulberry32(seed + 1);
  const rgba = new Uint8Array(width * height * 4);
  const horizon = Math.round(height * (0.5 + 0.25 * rng()));
  const objects = Array.from({ length: 1 + Math.floor(rng() * 3) }, () => ({
    cx: width * (0.15 + 0.7 * rng()), cy: height * (0.35 + 0.45 * rng()), r: height * (0.08 + 0.14 * rng()),
    box: rng() < 0.5, colour: OBJECT_COLOURS[Math.floor(rng() * OBJECT_COLOURS.length)],
  }));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const noise = (rng() - 0.5) * 24;
      let c: [number, number, number] = y < horizon ? [127 + (y / horizon) * 100, 178 + (y / horizon) * 60, 230] : [74 + noise, 122 + noise, 58 + noise];
      for (const o of objects) {
        const inside = o.box ? Math.abs(x - o.cx) < o.r && Math.abs(y - o.cy) < o.r * 0.7 : (x - o.cx) ** 2 + (y - o.cy) ** 2 < o.r ** 2;
        if (inside) c = [o.colour[0] + noise / 3, o.colour[1] + noise / 3, o.colour[2] + noise / 3];
      }
      rgba.set([c[0], c[1], c[2], 255].map((v) => Math.max(0, Math.min(255, Math.round(v)))), (y * width + x) * 4);
    }
  }
  const encoded = jpeg.encode({ data: rgba, width, height }, 90).data;
  return { name: `synthetic-${String(seed).padStart(3, '0')}.jpg`, width, height, rgba, jpeg: new Uint8Array(encoded) };
}

/** Writes `count` synthetic photos (seeds 0…count−1) into dir; returns their names. */
export function writeSyntheticPhotos(dir: string, count: number, size: { width?: number; height?: number } = {}): string[] {
  mkdirSync(dir, { recursive: true });
  return Array.from({ length: count }, (_, i) => {
    const p = syntheticPhoto(i, size.width, size.height);
    writeFileSync(path.join(dir, p.name), p.jpeg);
    return p.name;
  });
}
