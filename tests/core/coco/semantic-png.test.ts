// Semantic label PNGs: 8/16-bit round trips and the official COCO-Stuff label maps of coco-stuff-10.
import { readFileSync } from 'node:fs';
import { decode, encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { labelMapToPng, pngToLabelMap } from '../../../src/core/coco/semantic-png';
import { describeWithData, sharedPath } from '../../helpers/shared-data';

describe('semantic PNG', () => {
  it('8-bit round trip when ids fit', () => {
    const labelsRowMajor = Uint8Array.from([0, 1, 27, 255, 3, 3]);
    const png = labelMapToPng({ labelsRowMajor, height: 2, width: 3 });
    expect(decode(png)).toMatchObject({ depth: 8, channels: 1, width: 3, height: 2 });
    expect(pngToLabelMap(png)).toEqual({ labelsRowMajor, height: 2, width: 3, bitDepth: 8 });
  });

  it('16-bit when a label exceeds 255', () => {
    const labelsRowMajor = Uint16Array.from([0, 800, 256, 65535, 1, 300]);
    const png = labelMapToPng({ labelsRowMajor, height: 3, width: 2 });
    expect(decode(png)).toMatchObject({ depth: 16, channels: 1 });
    expect(pngToLabelMap(png)).toEqual({ labelsRowMajor, height: 3, width: 2, bitDepth: 16 });
  });

  it('16-bit when the class count exceeds 255 even if this map only uses small ids', () => {
    const labelsRowMajor = Uint16Array.from([0, 1, 2, 3]);
    const png = labelMapToPng({ labelsRowMajor, height: 2, width: 2 }, 300);
    const back = pngToLabelMap(png);
    expect(back.bitDepth).toBe(16);
    expect(Array.from(back.labelsRowMajor)).toEqual([0, 1, 2, 3]);
  });

  it('reads palette indices, including bit-packed 4-bit rows', () => {
    const palette = [[0, 0, 0], [255, 0, 0], [0, 255, 0], [0, 0, 255]];
    // Width 3 at 4 bits: rows of 2 bytes, high nibble first, last nibble padding.
    const packed = Uint8Array.from([0x01, 0x20, 0x31, 0x00]);
    const png = encode({ width: 3, height: 2, data: packed, depth: 4, channels: 1, palette });
    expect(Array.from(pngToLabelMap(png).labelsRowMajor)).toEqual([0, 1, 2, 3, 1, 0]);
    const png8 = encode({ width: 3, height: 2, data: Uint8Array.from([0, 1, 2, 3, 1, 0]), depth: 8, channels: 1, palette });
    expect(Array.from(pngToLabelMap(png8).labelsRowMajor)).toEqual([0, 1, 2, 3, 1, 0]);
  });

  it('refuses colour PNGs and wrong sizes', () => {
    expect(() => labelMapToPng({ labelsRowMajor: new Uint8Array(5), height: 2, width: 3 })).toThrow(/expected 2×3/);
    const rgb = encode({ width: 1, height: 1, data: Uint8Array.from([1, 2, 3]), depth: 8, channels: 3 });
    expect(() => pngToLabelMap(rgb)).toThrow(/single-channel, got 3 channels/);
  });
});

describeWithData('semantic PNG on COCO-Stuff label maps', ['coco-stuff-10', 'index.json'], () => {
  const index = JSON.parse(readFileSync(sharedPath('coco-stuff-10', 'index.json'), 'utf8')) as {
    label: string;
    width: number;
    height: number;
    label_values: number[];
  }[];

  it('reads the official maps (values as listed in index.json) and round-trips them', () => {
    expect(index).toHaveLength(10);
    for (const entry of index) {
      const map = pngToLabelMap(new Uint8Array(readFileSync(sharedPath('coco-stuff-10', entry.label))));
      expect([map.width, map.height, map.bitDepth]).toEqual([entry.width, entry.height, 8]);
      expect([...new Set(map.labelsRowMajor)].sort((a, b) => a - b)).toEqual(entry.label_values);
      const again = pngToLabelMap(labelMapToPng(map));
      expect(again.labelsRowMajor.filter((v, p) => v !== map.labelsRowMajor[p]).length).toBe(0);
    }
  });
});
