// A photo's pixel size read from its header (PNG IHDR, JPEG SOF, GIF, BMP, WebP) before anything
// is decoded, and the pixel budget every decoder in the project applies: a small file can declare
// a huge canvas (a 2.6 MB PNG of 30000×30000 px), whose decode would take minutes and gigabytes.

/** Photos up to this many pixels are decoded (an 8000×6000 camera photo is 48 million). */
export const MAX_PHOTO_PIXELS = 100_000_000;

export interface PixelSize {
  width: number;
  height: number;
}

const u16be = (b: Uint8Array, at: number) => (b[at] << 8) | b[at + 1];
const u32be = (b: Uint8Array, at: number) => ((b[at] << 24) >>> 0) + (b[at + 1] << 16) + (b[at + 2] << 8) + b[at + 3];
const u16le = (b: Uint8Array, at: number) => b[at] | (b[at + 1] << 8);
const u24le = (b: Uint8Array, at: number) => b[at] | (b[at + 1] << 8) | (b[at + 2] << 16);
const i32le = (b: Uint8Array, at: number) => b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24);
const ascii = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, to));

/** JPEG: walk the marker segments to the first start-of-frame (any SOFn but DHT, JPG and DAC). */
function jpegSize(b: Uint8Array): PixelSize | null {
  let at = 2;
  while (at + 9 < b.length) {
    if (b[at] !== 0xff) return null;
    const marker = b[at + 1];
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2; // markers without a length
      continue;
    }
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) return { height: u16be(b, at + 5), width: u16be(b, at + 7) };
    if (marker === 0xda || marker === 0xd9) return null; // scan data or end before any frame header
    at += 2 + u16be(b, at + 2);
  }
  return null;
}

function webpSize(b: Uint8Array): PixelSize | null {
  const chunk = ascii(b, 12, 16);
  if (chunk === 'VP8X' && b.length >= 30) return { width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
  if (chunk === 'VP8 ' && b.length >= 30) return { width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
  if (chunk === 'VP8L' && b.length >= 25) {
    const bits = b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  return null;
}

/**
 * Width and height declared by the header of a PNG, JPEG, GIF, BMP or WebP file; null when the
 * bytes given (the file's start: 64 KiB is enough unless a JPEG carries more metadata) do not say.
 */
export function imageSizeFromHeader(b: Uint8Array): PixelSize | null {
  if (b.length >= 24 && b[0] === 0x89 && ascii(b, 1, 4) === 'PNG' && ascii(b, 12, 16) === 'IHDR') return { width: u32be(b, 16), height: u32be(b, 20) };
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return jpegSize(b);
  if (b.length >= 10 && ascii(b, 0, 4) === 'GIF8') return { width: u16le(b, 6), height: u16le(b, 8) };
  if (b.length >= 26 && ascii(b, 0, 2) === 'BM') return { width: Math.abs(i32le(b, 18)), height: Math.abs(i32le(b, 22)) };
  if (b.length >= 16 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return webpSize(b);
  return null;
}

/** Why a photo of this size is refused (its size and the budget, in words), or null when it fits. */
export function pixelBudgetProblem(size: PixelSize, maxPixels = MAX_PHOTO_PIXELS): string | null {
  const pixels = size.width * size.height;
  if (pixels <= maxPixels) return null;
  const mp = (n: number) => `${Math.round(n / 1e6)} megapixels`;
  return `it is ${size.width}×${size.height} px (${mp(pixels)}), over the ${mp(maxPixels)} a photo may have: downscale it first`;
}
