// A trained STEGO head as the session keeps it (method.md §4): tokens → projected → codes, the
// space in which the stuff clusters are fitted and every pixel's semantic cluster is scored.
import { stegoCodes, type StegoHeadShape } from './head';
import { projectTokens, type TokenProjection } from './projection';
import type { StegoModel } from './train';

export interface SemanticHead {
  projection: TokenProjection;
  shape: StegoHeadShape;
  params: Float32Array;
}

/** What a session stores of a training run: the head without its progress history. */
export function semanticHeadOf(model: StegoModel): SemanticHead {
  return { projection: model.projection, shape: model.shape, params: model.params };
}

/** Codes of n tokens ([n, tokenDim] row-major), [n, codeDim]. */
export function tokensToCodes(head: SemanticHead, tokensRowMajor: Float32Array, n: number): Float32Array {
  if (tokensRowMajor.length !== n * head.projection.tokenDim) {
    throw new Error(`tokens have ${tokensRowMajor.length / Math.max(n, 1)} channels; the semantic head was trained on ${head.projection.tokenDim}`);
  }
  return stegoCodes(head.shape, head.params, projectTokens(head.projection, tokensRowMajor, n), n);
}
