// The typed API of the model worker (Squoosh-style), types only, shared by the worker and the UI: imports a
// dropped .pth/.safetensors/.onnx or downloads an official DINO checkpoint into the model cache.
import type { Architecture, ModelManifest } from '../src/core/backbone/types';

export interface ImportOptions {
  /** Square input side for a converted checkpoint, px; an .onnx keeps the size its graph fixes. */
  inputSize: number;
  /**
   * Attention heads, used only when the embed dim is not a multiple of 64: official DINO (and
   * DeiT/ViT) heads are 64-dim, so heads = embed dim / 64 is read from the weights otherwise.
   */
  numHeads?: number;
  /** Recorded in the manifest of an imported .onnx (default 'vit'). */
  architecture?: Architecture;
}

export type ModelJobStage = 'downloading' | 'reading' | 'converting' | 'validating' | 'saving';

export interface ModelProgress {
  stage: ModelJobStage;
  /** Bytes received so far (downloading only). */
  doneBytes?: number;
  /** Content-Length when the server sent one (downloading only). */
  totalBytes?: number;
}

export type ProgressCallback = (progress: ModelProgress) => void;

export interface ModelWorkerApi {
  /**
   * Sniffs the bytes (not the name), converts a DINO checkpoint at opts.inputSize or validates an
   * ONNX backbone, stores it in the model cache and resolves with its manifest. Rejects with a
   * message saying what is wrong with the file.
   */
  importFile(file: Blob, name: string, opts: ImportOptions, onProgress?: ProgressCallback): Promise<ModelManifest>;
  /** Downloads an official checkpoint (DINO_CHECKPOINTS id) with progress, then converts and stores it. */
  download(checkpointId: string, opts: ImportOptions, onProgress?: ProgressCallback): Promise<ModelManifest>;
  /** Stops the running job (a download at once; a conversion at its next stage). */
  cancel(): void;
}
