// The typed API of the view worker: overlays, hover lookups and exports, read from the session
// store. It loads no model, so it stays responsive while the pool computes.
import type { ExportOptions } from '../src/core/export/session-export';
import type { OverlayStyle, PixelInfo, ViewMode } from '../src/core/render/overlay';
import type { ClusterTable } from '../src/core/session/cluster-table';

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

export interface ViewWorkerApi {
  /** Validates and keeps a COCO instances file as ground truth (throws naming the bad records). */
  importGroundTruth(file: Blob): Promise<GroundTruthSummary>;
  /** The ground truth kept from an earlier import, if any. */
  groundTruthSummary(): Promise<GroundTruthSummary | null>;
  /** Ground-truth overlay of one photo (matched by file name), at the annotations' size. */
  renderGroundTruth(fileName: string): Promise<OverlayImage | null>;
  /** The overlay of one image's labels in a view, at label resolution; null when not labelled yet. */
  render(id: string, style: OverlayStyle): Promise<OverlayImage | null>;
  /** What lies under a pixel (label-resolution coordinates) in a view. */
  pixelInfo(id: string, mode: ViewMode, x: number, y: number): Promise<PixelInfo | null>;
  /** The export of the listed images as one zip, with the user's cluster table applied. */
  exportZip(images: ExportRequestImage[], table: ClusterTable, options: Partial<ExportOptions>): Promise<Uint8Array>;
}
