// Adam with decoupled weight decay (AdamW, Loshchilov & Hutter) over one flat parameter array:
// the optimiser of both trained heads (method.md §4 STEGO's head, §6 the adaptation head).

/** Adam's constants (PyTorch defaults), shared with the WebGPU trainer so every trainer steps alike. */
export const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } as const;

export class AdamW {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  /** Steps taken; the bias corrections use it. */
  step = 0;

  /** `decays[i]` 1 where parameter i is a weight (decayed), 0 for biases; absent: nothing decays. */
  constructor(size: number, private readonly decays?: Uint8Array) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }

  /** params −= lr·(m̂ / (√v̂ + ε) + weightDecay·params on weights), after folding `grad` into m and v. */
  update(params: Float64Array, grad: Float64Array, learningRate: number, weightDecay = 0): void {
    const { beta1: b1, beta2: b2, epsilon: eps } = ADAM;
    const { m, v, decays } = this;
    this.step++;
    const c1 = 1 / (1 - b1 ** this.step), c2 = 1 / (1 - b2 ** this.step);
    for (let i = 0; i < params.length; i++) {
      m[i] = b1 * m[i] + (1 - b1) * grad[i];
      v[i] = b2 * v[i] + (1 - b2) * grad[i] * grad[i];
      const decay = decays?.[i] ? weightDecay * params[i] : 0;
      params[i] -= learningRate * ((m[i] * c1) / (Math.sqrt(v[i] * c2) + eps) + decay);
    }
  }
}
