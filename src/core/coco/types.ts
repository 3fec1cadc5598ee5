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

/** Polygons of one object: each [x0, y0, x1, y1, ...] with at least 6 numbers. */
export type Polygons = number[][];

/** What a COCO annotation's `segmentation` may hold. */
export type Segmentation = Polygons | Rle | CompressedRle;

/** An entry of `images`; other COCO fields (license, coco_url, ...) pass through untouched. */
export interface CocoImage {
  id: number;
  file_name: string;
  width: number;
  height: number;
  license?: number;
  coco_url?: string;
  flickr_url?: string;
  date_captured?: string;
}

/** An entry of `categories`; `isthing` and `color` appear in panoptic category lists. */
export interface CocoCategory {
  id: number;
  name: string;
  supercategory?: string;
  isthing?: number;
  color?: [number, number, number];
}
