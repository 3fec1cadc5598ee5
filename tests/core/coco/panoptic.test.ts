// Panoptic PNG/JSON against the official COCO panoptic sample (coco-panoptic-2): areas and boxes
// measured on the official PNGs must equal the official JSON; crafted bad cases must be refused.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CocoFormatError } from '../../../src/core/coco/json';
import {
  checkPanopticAnnotation,
  idMapToPng,
  idToRgb,
  pngToIdMap,
  readPanoptic,
  readPanopticFiles,
  rgbToId,
  writePanoptic,
  type IdMap,
  type PanopticDataset,
} from '../../../src/core/coco/panoptic';
import type { CocoCategory } from '../../../src/core/coco/types';
import { describeWithData, sharedPath } from '../../helpers/shared-data';

describe('panoptic ids', () => {
  it('id ↔ RGB (coco-formats.md worked example)', () => {
    expect(idToRgb(3937500)).toEqual([220, 20, 60]);
    expect(rgbToId(220, 20, 60)).toBe(3937500);
    expect(idToRgb(0)).toEqual([0, 0, 0]);
    expect(rgbToId(255, 255, 255)).toBe(256 ** 3 - 1);
  });

  it('PNG round trip of a small map; ids beyond 24 bits are refused', () => {
    const idMap: IdMap = { idsRowMajor: Uint32Array.from([0, 1, 256, 65536, 3937500, 16777215]), height: 2, width: 3 };
    expect(pngToIdMap(idMapToPng(idMap))).toEqual(idMap);
    expect(() => idMapToPng({ ...idMap, idsRowMajor: Uint32Array.from([0, 0, 0, 0, 0, 2 ** 24]) })).toThrow(/24-bit/);
  });
});

describe('panoptic writer and checker (synthetic)', () => {
  const categories: CocoCategory[] = [
    { id: 1, name: 'thing', isthing: 1 },
    { id: 2, name: 'stuff', isthing: 0 },
  ];
  const image = { id: 3, file_name: 'x/000003.jpg', height: 2, width: 3 };
  const idMap: IdMap = { idsRowMajor: Uint32Array.from([5, 5, 0, 9, 9, 9]), height: 2, width: 3 };

  it('writes the panopticapi layout and reads it back', () => {
    const files = writePanoptic('u2seg', [{ image, idMap, segments: [{ id: 5, category_id: 1 }, { id: 9, category_id: 2 }] }], categories);
    expect(Object.keys(files).sort()).toEqual(['annotations/u2seg.json', 'annotations/u2seg/000003.png']);
    const parsed = readPanopticFiles(files, 'u2seg');
    expect(parsed.dataset.annotations).toEqual([
      {
        image_id: 3,
        file_name: '000003.png',
        segments_info: [
          { id: 5, category_id: 1, area: 2, bbox: [0, 0, 2, 1], iscrowd: 0 },
          { id: 9, category_id: 2, area: 3, bbox: [0, 1, 3, 1], iscrowd: 0 },
        ],
      },
    ]);
    expect(parsed.idMaps[0]).toEqual(idMap);
  });

  it('refuses what the evaluator refuses, in one error', () => {
    const write = (): Record<string, Uint8Array> =>
      writePanoptic('bad', [{ image, idMap, segments: [{ id: 5, category_id: 7 }, { id: 5, category_id: 1 }, { id: 11, category_id: 2 }] }], categories);
    expect(write).toThrow(CocoFormatError);
    try {
      write();
    } catch (error) {
      expect((error as CocoFormatError).errors).toEqual([
        'annotations[0] (image 3): segment id 5 has unknown category_id 7',
        'annotations[0] (image 3): duplicate segment id 5 in segments_info',
        'annotations[0] (image 3): segment id 9 (RGB 9,0,0) is in PNG 000003.png but not in segments_info',
        'annotations[0] (image 3): segment ids 11 are in segments_info but not in PNG 000003.png',
      ]);
    }
  });

  it('checks size and void', () => {
    const annotation = { image_id: 3, file_name: 'a.png', segments_info: [{ id: 0, category_id: 1, area: 1, bbox: [0, 0, 1, 1] as [number, number, number, number], iscrowd: 0 as const }] };
    const wrongSize = { id: 3, file_name: 'a.jpg', height: 3, width: 3 };
    expect(checkPanopticAnnotation(annotation, { idsRowMajor: new Uint32Array(6), height: 2, width: 3 }, new Set([1]), wrongSize)).toEqual([
      'PNG a.png is 2×3 but image 3 is 3×3',
      'segments_info lists id 0, which is reserved for void',
    ]);
  });
});

describeWithData('panoptic on the official COCO sample', ['coco-panoptic-2', 'panoptic_examples.json'], () => {
  const jsonBytes = new Uint8Array(readFileSync(sharedPath('coco-panoptic-2', 'panoptic_examples.json')));
  const official = JSON.parse(new TextDecoder().decode(jsonBytes)) as PanopticDataset;
  const pngs: Record<string, Uint8Array> = {};
  for (const a of official.annotations) pngs[a.file_name] = new Uint8Array(readFileSync(sharedPath('coco-panoptic-2', 'panoptic', a.file_name)));

  it('areas and bboxes measured on the PNGs equal the official JSON', () => {
    const parsed = readPanoptic(jsonBytes, pngs);
    expect(parsed.measured.map((m) => m.length)).toEqual([18, 32]);
    official.annotations.forEach((annotation, i) => {
      expect(parsed.measured[i]).toEqual(annotation.segments_info.map((s) => ({ ...s, iscrowd: s.iscrowd })));
      for (const [k, s] of annotation.segments_info.entries()) {
        expect(parsed.measured[i][k].area).toBe(s.area);
        expect(parsed.measured[i][k].bbox).toEqual(s.bbox);
      }
    });
  });

  it('PNG write → read gives identical ids', () => {
    for (const a of official.annotations) {
      const idMap = pngToIdMap(pngs[a.file_name]);
      const again = pngToIdMap(idMapToPng(idMap)).idsRowMajor;
      // Element-wise toEqual on 270k pixels is slow; count mismatches instead.
      expect(again.length).toBe(idMap.idsRowMajor.length);
      expect(again.filter((id, p) => id !== idMap.idsRowMajor[p]).length).toBe(0);
    }
  });

  it('writer + reader reproduce the official segments_info', () => {
    const perImage = official.annotations.map((a) => ({
      image: official.images!.find((im) => im.id === a.image_id)!,
      idMap: pngToIdMap(pngs[a.file_name]),
      segments: a.segments_info.map(({ id, category_id, iscrowd }) => ({ id, category_id, iscrowd })),
    }));
    const parsed = readPanopticFiles(writePanoptic('copy', perImage, official.categories), 'copy');
    expect(parsed.dataset.annotations.map((a) => a.segments_info)).toEqual(official.annotations.map((a) => a.segments_info));
  });

  it('refuses crafted bad cases with clear messages', () => {
    const bad = JSON.parse(JSON.stringify(official)) as PanopticDataset;
    const [first, second] = bad.annotations;
    const dropped = first.segments_info.shift()!;
    second.segments_info.push({ ...second.segments_info[0], id: 123 });
    second.segments_info[1].category_id = 9999;
    second.segments_info[2].id = second.segments_info[3].id;
    let errors: readonly string[] = [];
    try {
      readPanoptic(bad, pngs);
    } catch (error) {
      errors = (error as CocoFormatError).errors;
    }
    const [r, g, b] = idToRgb(dropped.id);
    const missingId = official.annotations[1].segments_info[2].id;
    expect(errors).toEqual([
      `annotations[0] (image ${first.image_id}): segment id ${dropped.id} (RGB ${r},${g},${b}) is in PNG ${first.file_name} but not in segments_info`,
      `annotations[1] (image ${second.image_id}): segment id ${second.segments_info[1].id} has unknown category_id 9999`,
      `annotations[1] (image ${second.image_id}): duplicate segment id ${second.segments_info[3].id} in segments_info`,
      `annotations[1] (image ${second.image_id}): segment id ${missingId} (RGB ${idToRgb(missingId).join(',')}) is in PNG ${second.file_name} but not in segments_info`,
      `annotations[1] (image ${second.image_id}): segment ids 123 are in segments_info but not in PNG ${second.file_name}`,
    ]);
    expect(() => readPanoptic(official, { [official.annotations[0].file_name]: pngs[official.annotations[0].file_name] })).toThrow(
      `PNG ${official.annotations[1].file_name} is missing`,
    );
  });
});
