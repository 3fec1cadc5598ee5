// COCO polygons: shoelace area (the `area` COCO stores for polygon annotations) and mask → polygons.
// coco-formats.md §RLE (polygons need ≥ 6 numbers); tracing follows pixel edges so frPoly gives the mask back.

/** Sum of |shoelace area| of each polygon: what COCO's `area` field holds for polygon annotations. */
export function polygonsArea(polygons: readonly ArrayLike<number>[]): number {
  let total = 0;
  for (const xy of polygons) {
    const k = Math.floor(xy.length / 2);
    let twiceSigned = 0;
    for (let j = 0; j < k; j++) {
      const next = (j + 1) % k;
      twiceSigned += xy[2 * j] * xy[2 * next + 1] - xy[2 * next] * xy[2 * j + 1];
    }
    total += Math.abs(twiceSigned) / 2;
  }
  return total;
}

/**
 * Outer boundaries of the 4-connected components of a row-major mask as polygons [x0,y0,x1,y1,...].
 * Vertices sit on pixel corners (pixel (x, y) spans [x, x+1]×[y, y+1]), which is the convention in which
 * pycocotools' frPoly reproduces the pixels exactly.
 * Limits: holes are not represented (a component with a hole comes back filled); pixels that touch only
 * at a corner are separate components, hence separate polygons; polygons are staircases, not simplified.
 * Every polygon has at least 4 vertices, so at least 8 numbers.
 */
export function maskToPolygons(maskRowMajor: ArrayLike<number>, height: number, width: number): number[][] {
  if (maskRowMajor.length !== height * width) {
    throw new Error(`mask has ${maskRowMajor.length} values, expected ${height}×${width} = ${height * width}`);
  }
  const { componentRowMajor, firstPixels } = labelComponents4(maskRowMajor, height, width);
  return firstPixels.map((start, index) => traceOuterBoundary(componentRowMajor, height, width, start, index + 1));
}

/** Component labels (1-based, 0 = background) and each component's first pixel in raster order. */
function labelComponents4(
  maskRowMajor: ArrayLike<number>,
  height: number,
  width: number,
): { componentRowMajor: Int32Array; firstPixels: number[] } {
  const componentRowMajor = new Int32Array(height * width);
  const firstPixels: number[] = [];
  const stack = new Int32Array(height * width);
  for (let start = 0; start < height * width; start++) {
    if (maskRowMajor[start] === 0 || componentRowMajor[start] !== 0) continue;
    const label = firstPixels.length + 1;
    firstPixels.push(start);
    componentRowMajor[start] = label;
    let top = 0;
    stack[top++] = start;
    const visit = (q: number): void => {
      if (maskRowMajor[q] === 0 || componentRowMajor[q] !== 0) return;
      componentRowMajor[q] = label;
      stack[top++] = q;
    };
    while (top > 0) {
      const p = stack[--top];
      const x = p % width;
      if (x > 0) visit(p - 1);
      if (x < width - 1) visit(p + 1);
      if (p >= width) visit(p - width);
      if (p + width < height * width) visit(p + width);
    }
  }
  return { componentRowMajor, firstPixels };
}

// Directions E, S, W, N in image coordinates (y grows downwards).
const STEP_X = [1, 0, -1, 0];
const STEP_Y = [0, 1, 0, -1];
// Pixels ahead of a vertex (vx, vy), as offsets from it, on the right and on the left of each direction.
const AHEAD_RIGHT: ReadonlyArray<readonly [number, number]> = [
  [0, 0],
  [-1, 0],
  [-1, -1],
  [0, -1],
];
const AHEAD_LEFT: ReadonlyArray<readonly [number, number]> = [
  [0, -1],
  [0, 0],
  [-1, 0],
  [-1, -1],
];

/** Walks pixel edges clockwise with the component on the right, from the top-left corner of its first pixel. */
function traceOuterBoundary(
  componentRowMajor: Int32Array,
  height: number,
  width: number,
  startPixel: number,
  label: number,
): number[] {
  const inside = (x: number, y: number): boolean =>
    x >= 0 && y >= 0 && x < width && y < height && componentRowMajor[y * width + x] === label;
  const startX = startPixel % width;
  const startY = (startPixel - startX) / width;
  // The start vertex touches only one pixel of the component, so the walk meets it once: on closing.
  const xy: number[] = [startX, startY];
  let vx = startX;
  let vy = startY;
  let dir = 0;
  for (;;) {
    vx += STEP_X[dir];
    vy += STEP_Y[dir];
    if (vx === startX && vy === startY) return xy;
    const [rdx, rdy] = AHEAD_RIGHT[dir];
    const [ldx, ldy] = AHEAD_LEFT[dir];
    let next: number;
    // Right-ahead outside → turn right even when left-ahead is inside: corner contact is not connection.
    if (!inside(vx + rdx, vy + rdy)) next = (dir + 1) % 4;
    else if (inside(vx + ldx, vy + ldy)) next = (dir + 3) % 4;
    else next = dir;
    if (next !== dir) xy.push(vx, vy);
    dir = next;
  }
}
