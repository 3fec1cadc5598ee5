// Merging mask proposals from several views and rounds: greedy grouping by mask IoU (NMS order)
// with mask voting, on one proposal canvas. Supports the proposal stage of method.md §2 (crops, rounds, splits).
//
// Groups are formed in the order given: the first ungrouped proposal opens a group, and every
// later ungrouped proposal whose IoU with the opener exceeds `minIou` joins it. A group's mask is
// the vote of its members: the mean of their soft masks, kept where it exceeds 0.5 (an opener
// alone keeps its own mask). Mask boxes limit each IoU to the overlap of the two boxes.

export interface CanvasMask {
  /** Soft values in [0, 1], [height·width] row-major. */
  soft: Float32Array;
  /** soft > 0.5. */
  bits: Uint8Array;
  area: number;
  /** Tight box of bits: x0, y0 inclusive; x1, y1 exclusive (all 0 when empty). */
  box: [number, number, number, number];
}

export function canvasMask(soft: Float32Array, width: number): CanvasMask {
  const bits = new Uint8Array(soft.length);
  let area = 0, x0 = width, y0 = Infinity, x1 = 0, y1 = 0;
  for (let i = 0; i < soft.length; i++) {
    if (!(soft[i] > 0.5)) continue;
    bits[i] = 1;
    area++;
    const y = (i / width) | 0, x = i - y * width;
    if (x < x0) x0 = x;
    if (x >= x1) x1 = x + 1;
    if (y < y0) y0 = y;
    if (y >= y1) y1 = y + 1;
  }
  return { soft, bits, area, box: area ? [x0, y0, x1, y1] : [0, 0, 0, 0] };
}

/** |a ∩ b| of two canvas masks. */
export function canvasIntersection(a: CanvasMask, b: CanvasMask, width: number): number {
  const x0 = Math.max(a.box[0], b.box[0]), x1 = Math.min(a.box[2], b.box[2]);
  const y0 = Math.max(a.box[1], b.box[1]), y1 = Math.min(a.box[3], b.box[3]);
  let inter = 0;
  for (let y = y0; y < y1; y++) {
    const row = y * width;
    for (let x = x0; x < x1; x++) inter += a.bits[row + x] & b.bits[row + x];
  }
  return inter;
}

export function canvasIou(a: CanvasMask, b: CanvasMask, width: number): number {
  if (!a.area || !b.area) return 0;
  const inter = canvasIntersection(a, b, width);
  return inter / (a.area + b.area - inter);
}

export interface MaskGroup {
  /** Indices into the input, the opener first. */
  members: number[];
  mask: CanvasMask;
}

/** Greedy IoU grouping in `order` with mask voting (see the module comment). */
export function groupByIou(masks: readonly CanvasMask[], order: readonly number[], width: number, minIou: number): MaskGroup[] {
  const taken = new Uint8Array(masks.length);
  const groups: MaskGroup[] = [];
  for (const opener of order) {
    if (taken[opener] || !masks[opener].area) continue;
    taken[opener] = 1;
    const members = [opener];
    for (const j of order) {
      if (taken[j] || !masks[j].area) continue;
      if (canvasIou(masks[opener], masks[j], width) > minIou) {
        taken[j] = 1;
        members.push(j);
      }
    }
    groups.push({ members, mask: members.length === 1 ? masks[opener] : voteMask(members.map((m) => masks[m]), width) });
  }
  return groups;
}

/** Mean of the members' soft masks, as a canvas mask (kept where the mean exceeds 0.5). */
export function voteMask(members: readonly CanvasMask[], width: number): CanvasMask {
  const mean = new Float32Array(members[0].soft.length);
  for (const m of members) for (let i = 0; i < mean.length; i++) mean[i] += m.soft[i];
  for (let i = 0; i < mean.length; i++) mean[i] /= members.length;
  return canvasMask(mean, width);
}
