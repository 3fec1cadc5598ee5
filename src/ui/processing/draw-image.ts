// Puts an RGBA image from a worker (overlay, selection, feature view) on a canvas at its own
// size; CSS stretches the canvas over the photo.
import type { OverlayImage } from '../../../workers/view-api';

export function drawImage(canvas: HTMLCanvasElement, img: OverlayImage): void {
  canvas.width = img.width;
  canvas.height = img.height;
  canvas.getContext('2d')?.putImageData(new ImageData(new Uint8ClampedArray(img.rgba), img.width, img.height), 0, 0);
}
