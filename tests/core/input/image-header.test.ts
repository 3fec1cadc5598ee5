// Pixel sizes from file headers (checked on files real encoders wrote) and the pixel budget that
// refuses a file declaring a huge canvas, with a message naming its size.
import { encode as encodePng } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { imageSizeFromHeader, MAX_PHOTO_PIXELS, pixelBudgetProblem } from '../../../src/core/input/image-header';
import { declaredPng } from '../../helpers/declared-png';
import { syntheticPhoto } from '../../helpers/synthetic-photos';

describe('imageSizeFromHeader', () => {
  it('reads JPEG (jpeg-js) and PNG (fast-png) files as their encoders wrote them', () => {
    const photo = syntheticPhoto(3, 123, 77);
    expect(imageSizeFromHeader(photo.jpeg)).toEqual({ width: 123, height: 77 });
    const png = encodePng({ width: 31, height: 9, data: new Uint8Array(31 * 9 * 4), channels: 4 });
    expect(imageSizeFromHeader(png)).toEqual({ width: 31, height: 9 });
    expect(imageSizeFromHeader(declaredPng(30000, 30000))).toEqual({ width: 30000, height: 30000 });
  });

  it('finds a JPEG frame header after metadata segments, and gives up on bytes that do not say', () => {
    const jpeg = syntheticPhoto(1, 40, 30).jpeg;
    const app1 = new Uint8Array(4 + 5000);
    app1.set([0xff, 0xe1, (5002 >> 8) & 0xff, 5002 & 0xff]);
    const withExif = new Uint8Array([...jpeg.subarray(0, 2), ...app1, ...jpeg.subarray(2)]);
    expect(imageSizeFromHeader(withExif)).toEqual({ width: 40, height: 30 });
    expect(imageSizeFromHeader(withExif.subarray(0, 3000))).toBeNull(); // cut inside the metadata
    expect(imageSizeFromHeader(new TextEncoder().encode('not an image at all'))).toBeNull();
  });

  it('reads GIF, BMP and WebP (VP8X) headers', () => {
    const gif = new Uint8Array([...new TextEncoder().encode('GIF89a'), 0x2c, 0x01, 0xc8, 0x00]);
    expect(imageSizeFromHeader(gif)).toEqual({ width: 300, height: 200 });
    const bmp = new Uint8Array(26);
    bmp.set(new TextEncoder().encode('BM'));
    new DataView(bmp.buffer).setInt32(18, 640, true);
    new DataView(bmp.buffer).setInt32(22, -480, true); // top-down rows
    expect(imageSizeFromHeader(bmp)).toEqual({ width: 640, height: 480 });
    const webp = new Uint8Array(30);
    webp.set(new TextEncoder().encode('RIFF'));
    webp.set(new TextEncoder().encode('WEBPVP8X'), 8);
    webp.set([0xff, 0x0f, 0x00, 0x37, 0x0b, 0x00], 24); // 4096 × 2872 (stored minus one)
    expect(imageSizeFromHeader(webp)).toEqual({ width: 4096, height: 2872 });
  });
});

describe('pixelBudgetProblem', () => {
  it('accepts an 8000×6000 photo and refuses 30000×30000, naming the size and the budget', () => {
    expect(pixelBudgetProblem({ width: 8000, height: 6000 })).toBeNull();
    expect(pixelBudgetProblem({ width: 10000, height: MAX_PHOTO_PIXELS / 10000 })).toBeNull();
    expect(pixelBudgetProblem({ width: 30000, height: 30000 })).toBe('it is 30000×30000 px (900 megapixels), over the 100 megapixels a photo may have: downscale it first');
  });
});
