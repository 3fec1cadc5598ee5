// COCO data types shared by the writers, readers and metrics (coco-formats.md).
// Masks cross module boundaries as uncompressed RLE: column-major runs starting with zeros.

/** Uncompressed RLE: counts of alternating 0/1 runs over the column-major flattened mask. */
export interface Rle {
  /** [h, w] */
  size: [number, number];
  counts: number[];
}

/** Compressed RLE as it appears in COCO JSON. */
export interface CompressedRle {
  size: [number, number];
  counts: string;
}

/** [x, y, w, h] in pixels. */
export type BboxXYWH = [number, number, number, number];
