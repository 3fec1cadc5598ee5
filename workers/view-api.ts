// The typed API of the view worker: overlays, hover lookups and exports, read from the session
// store. It loads no model, so it stays responsive while the pool computes.
import type { ExportOptions } from '../src/core/export/session-export';
import type { OverlayStyle, PixelInfo, ViewMode } from '../src/core/render/overlay';
import type { ClusterTable } from '../src/core/session/cluster-table';
import type { InstanceNode } from '../src/core/render/instance-selection';

export interface OverlayImage {
  rgba: Uint8ClampedArray;
  width: number;
  height: number;
}

/** What the UI knows of an image to export it (the worker has the rest in the store). */
export interface ExportRequestImage {
  id: string;
  cocoId: number;
  fileName: string;
  /** Original size. */
  sizeHW: [number, number];
}

export interface GroundTruthSummary {
  images: number;
  annotations: number;
  categories: number;
  /** File names of the imported images (the UI matches them to the session's photos). */
  fileNames: string[];
}

/** 'head': an adapted head's labels where the photo has them, else the clusters'. */
export type LabelSource = 'head' | 'clusters';

/** The segment under a pixel, as a mask at label resolution (for "fill segment"). */
export interface SegmentMaskResult {
  maskRowMajor: Uint8Array;
  width: number;
  height: number;
  areaPx: number;
  categoryId: number;
}

/** The user's own labels (few-shot labelling): workers/user-labels-view.ts implements these. */
export interface UserLabelsViewApi {
  /** The photo's label resolution [height, width] (its stored pass), null before processing. */
  labelSizeHW(id: string): Promise<[number, number] | null>;
  /** The segment under a label-resolution pixel in a view, as the overlay shows it; null where none. */
  segmentMask(id: string, mode: ViewMode, x: number, y: number): Promise<SegmentMaskResult | null>;
  /** Category names annotated (not as crowd) in the imported ground truth of these photos. */
  groundTruthNames(fileNames: string[]): Promise<string[]>;
  /**
   * Rasterises each photo's ground truth at its label resolution and stores it as its user labels
   * (replacing them): `idByName` maps lower-cased GT names to category ids, `backgroundId` is for
   * pixels of no annotation. Photos without ground truth or a pass are skipped.
   */
  groundTruthAsUserLabels(
    photos: { id: string; fileName: string }[], idByName: Record<string, number>, backgroundId: number,
  ): Promise<{ id: string; labelledPixels: number }[]>;
  /** Every category id some photo's user labels use. */
  userLabelCategories(): Promise<number[]>;
  /** Rewrites every photo's user labels through old id → new id (absent: 0); returns the photos changed. */
  remapUserLabels(mapping: Record<number, number>): Promise<string[]>;
}

/** Selecting masks: workers/instance-selection-view.ts implements these (label-resolution coordinates). */
export interface InstanceSelectionViewApi {
  /** The pass's instances under a pixel, smallest first, and the one the view paints there; null before processing. */
  instancesAt(id: string, x: number, y: number): Promise<{ covering: number[]; shown: number | null } | null>;
  /** Every instance of the pass with its whole and parts; null before processing. */
  instanceTree(id: string): Promise<InstanceNode[] | null>;
  /** The listed instances tinted and outlined, at label resolution. */
  renderSelection(id: string, indices: number[]): Promise<OverlayImage | null>;
}

export interface ViewWorkerApi extends UserLabelsViewApi, InstanceSelectionViewApi {
  /** Which labels render, pixelInfo and exportZip use from now on. */
  setLabelSource(source: LabelSource): Promise<void>;
  /** Validates and keeps a COCO instances file as ground truth (throws naming the bad records). */
  importGroundTruth(file: Blob): Promise<GroundTruthSummary>;
  /** The ground truth kept from an earlier import, if any. */
  groundTruthSummary(): Promise<GroundTruthSummary | null>;
  /** Ground-truth overlay of one photo (matched by file name), at the annotations' size. */
  renderGroundTruth(fileName: string): Promise<OverlayImage | null>;
  /** The overlay of one image's labels in a view, at label resolution; null when not labelled yet. */
  render(id: string, style: OverlayStyle): Promise<OverlayImage | null>;
  /** The PCA colouring of a photo's stored backbone tokens, RGBA on its feature grid; null before processing. */
  featurePca(id: string): Promise<OverlayImage | null>;
  /** What lies under a pixel (label-resolution coordinates) in a view. */
  pixelInfo(id: string, mode: ViewMode, x: number, y: number): Promise<PixelInfo | null>;
  /** The export of the listed images as one zip, with the user's cluster table applied. */
  exportZip(images: ExportRequestImage[], table: ClusterTable, options: Partial<ExportOptions>): Promise<Uint8Array>;
}
