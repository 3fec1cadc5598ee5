// TensorFlow's output-size and padding rules for convolutions and pooling, computed statically for a
// fixed input size so the ONNX graph (CNN backbone, method.md §1) gets explicit, possibly asymmetric pads.

export interface Padding1d {
  /** Zeros (or ignored cells, for pooling) before the first pixel. */
  before: number;
  after: number;
  outSize: number;
}

/** A dilated kernel's reach in input pixels. */
export function effectiveKernel(kernel: number, dilation = 1): number {
  return (kernel - 1) * dilation + 1;
}

/**
 * TF 'SAME': out = ceil(in / stride) and the padding that needs, split with the odd pixel AFTER
 * (bottom/right). PyTorch/ONNX auto_pad differ on which side takes it, hence explicit pads.
 */
export function samePadding(inSize: number, kernel: number, stride: number, dilation = 1): Padding1d {
  const outSize = Math.ceil(inSize / stride);
  const total = Math.max((outSize - 1) * stride + effectiveKernel(kernel, dilation) - inSize, 0);
  const before = Math.floor(total / 2);
  return { before, after: total - before, outSize };
}

/** TF 'VALID': no padding, windows that fit entirely. */
export function validPadding(inSize: number, kernel: number, stride: number, dilation = 1): Padding1d {
  const outSize = Math.floor((inSize - effectiveKernel(kernel, dilation)) / stride) + 1;
  if (outSize < 1) throw new Error(`a ${kernel}-wide window does not fit in ${inSize} pixels`);
  return { before: 0, after: 0, outSize };
}

export function tfPadding(
  mode: 'same' | 'valid',
  inSize: number,
  kernel: number,
  stride: number,
  dilation = 1,
): Padding1d {
  return mode === 'same' ? samePadding(inSize, kernel, stride, dilation) : validPadding(inSize, kernel, stride, dilation);
}

/** Zero padding per side of an NCHW feature map, in pixels. */
export interface Pads2d {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

export const NO_PADS: Pads2d = { top: 0, bottom: 0, left: 0, right: 0 };

export function addPads(a: Pads2d, b: Pads2d): Pads2d {
  return { top: a.top + b.top, bottom: a.bottom + b.bottom, left: a.left + b.left, right: a.right + b.right };
}

export function isZeroPads(p: Pads2d): boolean {
  return p.top === 0 && p.bottom === 0 && p.left === 0 && p.right === 0;
}

/** ONNX `pads` order for 2-D spatial ops: [top, left, bottom, right]. */
export function onnxPads(p: Pads2d): number[] {
  return [p.top, p.left, p.bottom, p.right];
}

/** Keras ZeroPadding2D's `padding`: n, [h, w] (symmetric) or [[top, bottom], [left, right]]. */
export function kerasZeroPadding(padding: unknown): Pads2d {
  if (typeof padding === 'number') return { top: padding, bottom: padding, left: padding, right: padding };
  if (Array.isArray(padding) && padding.length === 2) {
    const [h, w] = padding as unknown[];
    if (typeof h === 'number' && typeof w === 'number') return { top: h, bottom: h, left: w, right: w };
    if (Array.isArray(h) && Array.isArray(w) && h.length === 2 && w.length === 2) {
      return { top: Number(h[0]), bottom: Number(h[1]), left: Number(w[0]), right: Number(w[1]) };
    }
  }
  throw new Error(`unsupported ZeroPadding2D padding ${JSON.stringify(padding)}`);
}
