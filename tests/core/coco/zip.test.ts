// Zip of a file map: round trip, PNGs stored rather than recompressed, fixed dates give identical bytes.
import { describe, expect, it } from 'vitest';
import { unzipSync } from 'fflate';
import { labelMapToPng } from '../../../src/core/coco/semantic-png';
import { unzipFiles, zipFiles } from '../../../src/core/coco/zip';

/** Compression method of each local file header (0 = stored, 8 = deflate), read from the zip bytes. */
function methodsByName(zip: Uint8Array): Record<string, number> {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const methods: Record<string, number> = {};
  let offset = 0;
  while (view.getUint32(offset, true) === 0x04034b50) {
    const method = view.getUint16(offset + 8, true);
    const compressedSize = view.getUint32(offset + 18, true);
    const nameLength = view.getUint16(offset + 26, true);
    const extraLength = view.getUint16(offset + 28, true);
    const name = new TextDecoder().decode(zip.subarray(offset + 30, offset + 30 + nameLength));
    methods[name] = method;
    offset += 30 + nameLength + extraLength + compressedSize;
  }
  return methods;
}

describe('zip', () => {
  const png = labelMapToPng({ labelsRowMajor: Uint8Array.from({ length: 64 * 64 }, (_, i) => i % 7), height: 64, width: 64 });
  const files = {
    'annotations/run.json': new TextEncoder().encode(JSON.stringify({ annotations: Array(50).fill({ a: 1 }) })),
    'annotations/run/000001.png': png,
  };

  it('round-trips a file map', () => {
    const back = unzipFiles(zipFiles(files));
    expect(Object.keys(back).sort()).toEqual(Object.keys(files).sort());
    for (const [name, bytes] of Object.entries(files)) expect(back[name]).toEqual(bytes);
    expect(unzipSync(zipFiles(files))['annotations/run/000001.png']).toEqual(png);
  });

  it('stores PNGs and deflates JSON', () => {
    expect(methodsByName(zipFiles(files))).toEqual({ 'annotations/run.json': 8, 'annotations/run/000001.png': 0 });
  });

  it('is byte-identical for a fixed date and refuses escaping paths', () => {
    const mtime = new Date(2020, 0, 1);
    expect(zipFiles(files, { mtime })).toEqual(zipFiles(files, { mtime }));
    expect(() => zipFiles({ '../x.png': png })).toThrow(/relative/);
    expect(() => zipFiles({ '/x.png': png })).toThrow(/relative/);
  });
});
