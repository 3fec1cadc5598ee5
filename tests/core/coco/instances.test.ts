// Instances writers and the reader/validator: doc vectors for area/bbox/strings, real coco-dev import,
// and crafted bad records whose messages must name the record.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  buildInstancesDataset,
  buildInstancesResults,
  instancesJsonBytes,
  type ImageInstances,
} from '../../../src/core/coco/instances';
import {
  readInstancesDataset,
  readInstancesResults,
} from '../../../src/core/coco/instances-reader';
import { CocoFormatError } from '../../../src/core/coco/json';
import { decodeMask, encodeMask } from '../../../src/core/coco/rle';
import type { CocoCategory, CocoImage } from '../../../src/core/coco/types';
import { describeWithData, sharedPath } from '../../helpers/shared-data';

const BLOCK = Uint8Array.from('00000011100111000000', (c) => Number(c)); // coco-formats.md "block", 4×5
const TOP_LEFT = Uint8Array.from('100000000', (c) => Number(c)); // "top-left pixel", 3×3
const IMAGE_A: CocoImage = { id: 7, file_name: 'a.jpg', height: 4, width: 5 };
const IMAGE_B: CocoImage = { id: 8, file_name: 'b.jpg', height: 3, width: 3 };
const CATEGORIES: CocoCategory[] = [
  { id: 1, name: 'cluster 1' },
  { id: 2, name: 'cluster 2' },
];

function perImage(): ImageInstances[] {
  return [
    { image: IMAGE_A, instances: [{ mask: { maskRowMajor: BLOCK }, categoryId: 1, score: 0.9 }] },
    {
      image: IMAGE_B,
      instances: [
        { mask: { rle: encodeMask(TOP_LEFT, 3, 3) }, categoryId: 2, score: 0.5 },
        { mask: { maskRowMajor: new Uint8Array(9) }, categoryId: 2, score: 0.1 },
      ],
    },
  ];
}

describe('buildInstancesDataset', () => {
  it('writes compressed RLE, area, bbox and iscrowd 0 (doc vectors)', () => {
    const dataset = buildInstancesDataset(perImage(), CATEGORIES, { firstAnnotationId: 100 });
    expect(dataset.images).toEqual([IMAGE_A, IMAGE_B]);
    expect(dataset.categories).toEqual(CATEGORIES);
    // The empty third mask is left out.
    expect(dataset.annotations).toEqual([
      { id: 100, image_id: 7, category_id: 1, segmentation: { size: [4, 5], counts: '5220003' }, area: 6, bbox: [1, 1, 3, 2], iscrowd: 0 },
      { id: 101, image_id: 8, category_id: 2, segmentation: { size: [3, 3], counts: '018' }, area: 1, bbox: [0, 0, 1, 1], iscrowd: 0 },
    ]);
  });

  it('writes polygons on request; holes are filled', () => {
    const h = 40;
    const w = 50;
    const mask = new Uint8Array(h * w);
    for (let y = 5; y <= 34; y++) for (let x = 10; x <= 44; x++) mask[y * w + x] = 1;
    for (let y = 15; y <= 24; y++) for (let x = 20; x <= 29; x++) mask[y * w + x] = 0;
    const image = { id: 1, file_name: 'hole.png', height: h, width: w };
    const dataset = buildInstancesDataset([{ image, instances: [{ mask: { maskRowMajor: mask }, categoryId: 1 }] }], CATEGORIES, {
      segmentation: 'polygons',
    });
    expect(dataset.annotations[0].segmentation).toEqual([[10, 5, 45, 5, 45, 35, 10, 35]]);
    expect(dataset.annotations[0].area).toBe(35 * 30);
    expect(dataset.annotations[0].bbox).toEqual([10, 5, 35, 30]);
  });

  it('refuses unknown categories and masks of the wrong size', () => {
    const badCategory = perImage();
    badCategory[0].instances[0].categoryId = 9;
    expect(() => buildInstancesDataset(badCategory, CATEGORIES)).toThrow('image 7, instance 0: category_id 9 is not in categories');
    const badSize = perImage();
    badSize[1].instances[0].mask = { rle: encodeMask(BLOCK, 4, 5) };
    expect(() => buildInstancesDataset(badSize, CATEGORIES)).toThrow('image 8, instance 0: RLE size [4, 5] does not match image 8 (3×3)');
  });

  it('round-trips through JSON bytes and the reader', () => {
    const dataset = buildInstancesDataset(perImage(), CATEGORIES);
    const parsed = readInstancesDataset(instancesJsonBytes(dataset));
    expect(parsed.dataset.annotations).toEqual(dataset.annotations);
    expect(decodeMask(parsed.masks[0])).toEqual(BLOCK);
    expect(decodeMask(parsed.masks[1])).toEqual(TOP_LEFT);
  });
});

describe('buildInstancesResults', () => {
  it('writes the loadRes shape with compressed RLE and keeps empty masks', () => {
    const results = buildInstancesResults(perImage(), CATEGORIES);
    expect(results).toEqual([
      { image_id: 7, category_id: 1, segmentation: { size: [4, 5], counts: '5220003' }, score: 0.9, bbox: [1, 1, 3, 2] },
      { image_id: 8, category_id: 2, segmentation: { size: [3, 3], counts: '018' }, score: 0.5, bbox: [0, 0, 1, 1] },
      { image_id: 8, category_id: 2, segmentation: { size: [3, 3], counts: '9' }, score: 0.1, bbox: [0, 0, 0, 0] },
    ]);
  });

  it('needs a score', () => {
    const input = perImage();
    delete input[1].instances[1].score;
    expect(() => buildInstancesResults(input)).toThrow('image 8, instance 1: a result needs a finite score');
  });

  it('reads back with area and bbox recomputed', () => {
    const results = buildInstancesResults(perImage());
    const parsed = readInstancesResults(JSON.stringify(results), [IMAGE_A, IMAGE_B], CATEGORIES);
    expect(parsed.results.map((r) => r.area)).toEqual([6, 1, 0]);
    expect(decodeMask(parsed.masks[0])).toEqual(BLOCK);
  });
});

function validDataset(): Record<string, unknown> {
  return JSON.parse(JSON.stringify(buildInstancesDataset(perImage(), CATEGORIES))) as Record<string, unknown>;
}

/** The list of bad records that the reader's CocoFormatError carries. */
function refusal(read: () => unknown): readonly string[] {
  try {
    read();
  } catch (err) {
    expect(err).toBeInstanceOf(CocoFormatError);
    return (err as CocoFormatError).errors;
  }
  throw new Error('expected the reader to refuse');
}

function errorsOf(dataset: unknown): readonly string[] {
  return refusal(() => readInstancesDataset(dataset));
}

describe('instances reader refusals', () => {
  it('names the annotation whose RLE size does not match its image', () => {
    const dataset = {
      images: [{ id: 42, file_name: 'x.jpg', height: 427, width: 640 }],
      categories: CATEGORIES,
      annotations: Array.from({ length: 13 }, (_, i) => ({
        id: 333 + i,
        image_id: 42,
        category_id: 1,
        segmentation: i === 12 ? { size: [480, 640], counts: [480 * 640] } : [[1, 1, 5, 1, 5, 5]],
        area: 8,
        bbox: [1, 1, 4, 4],
        iscrowd: 0,
      })),
    };
    expect(errorsOf(dataset)).toEqual(['annotations[12] (id 345): segmentation RLE size [480, 640] does not match image 42 (427×640)']);
    expect(() => readInstancesDataset(dataset)).toThrow(CocoFormatError);
    expect(() => readInstancesDataset(dataset)).toThrow(/annotations\[12\] \(id 345\)/);
  });

  it('lists every bad record: polygons, RLE forms, references, fields', () => {
    const dataset = validDataset();
    const annotations = dataset.annotations as Record<string, unknown>[];
    const base = annotations[0];
    annotations.push(
      { ...base, id: 11, segmentation: [[1, 2, 3, 4]] },
      { ...base, id: 12, segmentation: [[1, 2, 3, 4, 5]] },
      { ...base, id: 13, segmentation: { size: [4, 5], counts: '52 0003' } },
      { ...base, id: 14, segmentation: { size: [4, 5], counts: [5, 2, 2] } },
      { ...base, id: 15, image_id: 99 },
      { ...base, id: 16, category_id: 77 },
      { ...base, id: 17, iscrowd: 2, area: -1, bbox: [0, 0, -1, 2] },
      { ...base, id: 18, segmentation: [] },
    );
    (dataset.images as Record<string, unknown>[]).push({ id: 7, file_name: 'dup.jpg', height: 0, width: 5 });
    expect(errorsOf(dataset)).toEqual([
      'images[2] (id 7): duplicate image id 7',
      'images[2] (id 7): height must be a positive integer, got 0',
      'annotations[2] (id 11): segmentation polygon 0 has 4 numbers, which pycocotools reads as a box; polygons need ≥ 6',
      'annotations[3] (id 12): segmentation polygon 0 has 5 numbers; need an even count ≥ 6',
      'annotations[4] (id 13): segmentation RLE string has invalid character " " at 2',
      'annotations[5] (id 14): segmentation RLE counts sum to 9, expected 4×5 = 20',
      'annotations[6] (id 15): image_id 99 is not in images',
      'annotations[7] (id 16): category_id 77 is not in categories',
      'annotations[8] (id 17): iscrowd must be 0 or 1, got 2',
      'annotations[8] (id 17): area must be a number ≥ 0, got -1',
      'annotations[8] (id 17): bbox must be [x, y, w, h] with w, h ≥ 0, got [0,0,-1,2]',
      'annotations[9] (id 18): segmentation has no polygons',
    ]);
  });

  it('refuses duplicate annotation ids, bad top level and bad JSON', () => {
    const dataset = validDataset();
    (dataset.annotations as Record<string, unknown>[])[1].id = 1;
    expect(errorsOf(dataset)).toEqual(['annotations[1] (id 1): duplicate annotation id 1 (also annotations[0])']);
    expect(errorsOf({ images: [] })).toEqual([
      'dataset: `annotations` must be an array, got undefined',
      'dataset: `categories` must be an array, got undefined',
    ]);
    expect(errorsOf('{"images": [')[0]).toMatch(/^not valid JSON/);
  });

  it('refuses results for unknown images, without scores, with bad RLE', () => {
    const results = JSON.parse(JSON.stringify(buildInstancesResults(perImage()))) as Record<string, unknown>[];
    results[0].image_id = 5;
    delete results[1].score;
    results[2].segmentation = { size: [3, 3], counts: [4, 4] };
    expect(refusal(() => readInstancesResults(results, [IMAGE_A, IMAGE_B]))).toEqual([
      'results[0] (image 5): image_id 5 is not in images',
      'results[1] (image 8): score must be a finite number, got undefined',
      'results[2] (image 8): segmentation RLE counts sum to 8, expected 3×3 = 9',
    ]);
    expect(refusal(() => readInstancesResults({ not: 'a list' }, [IMAGE_A])).length).toBeGreaterThan(0);
  });

  it('accepts polygons and uncompressed RLE in results, normalised to compressed RLE', () => {
    const results = [
      { image_id: 7, category_id: 1, score: 1, segmentation: [[1, 1, 4, 1, 4, 3, 1, 3]] },
      { image_id: 8, category_id: 2, score: 1, segmentation: { size: [3, 3], counts: [0, 1, 8] } },
    ];
    const parsed = readInstancesResults(results, [IMAGE_A, IMAGE_B]);
    expect(parsed.results[0].segmentation).toEqual({ size: [4, 5], counts: '5220003' });
    expect(parsed.results[0].bbox).toEqual([1, 1, 3, 2]);
    expect(parsed.results[1].segmentation).toEqual({ size: [3, 3], counts: '018' });
  });
});

describeWithData('instances reader on coco-dev', ['coco-dev', 'instances.json'], () => {
  it('reads the official file without complaint and keeps every record', () => {
    const bytes = readFileSync(sharedPath('coco-dev', 'instances.json'));
    const parsed = readInstancesDataset(new Uint8Array(bytes));
    expect(parsed.dataset.images).toHaveLength(215);
    expect(parsed.dataset.annotations).toHaveLength(2035);
    expect(parsed.masks).toHaveLength(2035);
    expect(parsed.dataset.categories).toHaveLength(80);
    for (const [i, ann] of parsed.dataset.annotations.entries()) {
      if (!Array.isArray(ann.segmentation) && Array.isArray(ann.segmentation.counts)) {
        expect(parsed.masks[i].counts).toEqual(ann.segmentation.counts);
      }
    }
  });
});
