// The page's two-step processing over a fake session store (issue 13): after the backbone a photo
// has a provisional pass, so it can be clustered and labelled by its regions alone; its masks
// replace it, and a page that comes back between the two makes the photo again.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { BackboneOutput } from '../../src/core/backbone/types';
import { gaussian, mulberry32 } from '../../src/core/random';
import { openSessionDb, putFeatures, type SessionDb } from '../../src/storage/session-db';
import { getPass, putPass, putSummary } from '../../src/storage/session-records';
import type { ModelManifest } from '../../src/core/backbone/types';
import type { EmbeddedImage } from '../../workers/backbone-api';
import { clusterSession, labelOne, provisionalPass, restoreImage, segmentImage } from '../../workers/pipeline-jobs';

const GRID = 8, PX = 64, DIM = 16;
const OPTIONS = { refine: 'none' as const, maxMasks: 3, proposals: 'reference' as const };
const MANIFEST = { id: 'm', inputSize: 64, stride: 8, tau: 0.2, architecture: 'vit' } as unknown as ModelManifest;
let dbCount = 0;

/** A bright square object (grid cells 2..5) on a dark ground, in pixels and in tokens. */
function photo(): EmbeddedImage {
  const normal = gaussian(mulberry32(7));
  const object = Float32Array.from({ length: DIM }, () => normal()), ground = Float32Array.from({ length: DIM }, () => normal());
  const inside = (gx: number, gy: number) => gx >= 2 && gx < 6 && gy >= 2 && gy < 6;
  const tokens = new Float32Array(GRID * GRID * DIM);
  for (let p = 0; p < GRID * GRID; p++) {
    const proto = inside(p % GRID, Math.floor(p / GRID)) ? object : ground;
    for (let d = 0; d < DIM; d++) tokens[p * DIM + d] = proto[d] + 0.05 * normal();
  }
  const data = new Uint8ClampedArray(PX * PX * 4);
  for (let i = 0; i < PX * PX; i++) {
    const v = inside(Math.floor((i % PX) / 8), Math.floor(i / PX / 8)) ? 230 : 20;
    data.set([v, v, v, 255], i * 4);
  }
  const features: BackboneOutput = { keys: tokens, keyDim: DIM, tokens, tokenDim: DIM, cls: new Float32Array(DIM), gridH: GRID, gridW: GRID };
  return { id: 'p0', sizeHW: [PX, PX], rgba: { data, width: PX, height: PX }, features, proposals: 'reference', tau: MANIFEST.tau, timingsMs: { decode: 1, backbone: 2 } };
}

/** What embedImage stores after the backbone: the tokens and a provisional pass. */
async function embedded(db: SessionDb, e: EmbeddedImage): Promise<void> {
  const f = e.features;
  await putFeatures(db, { id: e.id, modelId: MANIFEST.id, gridH: f.gridH, gridW: f.gridW, tokenDim: f.tokenDim, tokens: f.tokens, cls: f.cls });
  await putPass(db, e.id, provisionalPass({ height: PX, width: PX }, 'reference'));
}

describe('regions first, masks after (the page\'s processing of a photo)', () => {
  it('labels a photo by its regions before its masks, then with its instances', async () => {
    const db = await openSessionDb(`regions-first-${dbCount++}`);
    const e = photo();
    await embedded(db, e);
    const first = await clusterSession(db, ['p0'], { seed: 0 });
    expect(first.thingK).toBe(0);
    const regions = await labelOne(db, 'p0');
    expect(regions.segments.length).toBeGreaterThan(0);
    expect(regions.segments.every((s) => !s.isThing)).toBe(true);

    const { summary } = await segmentImage(db, e, OPTIONS);
    expect(summary.instances).toBeGreaterThan(0);
    expect((await getPass(db, 'p0'))?.provisional).toBeUndefined();
    const refit = await clusterSession(db, ['p0'], { seed: 0 });
    expect(refit.thingK).toBeGreaterThan(0);
    const labels = await labelOne(db, 'p0');
    expect(labels.segments.some((s) => s.isThing)).toBe(true);
  });

  it('makes a photo again when the page came back between its backbone and its masks', async () => {
    const db = await openSessionDb(`regions-first-${dbCount++}`);
    const e = photo();
    await embedded(db, e);
    const { summary } = await segmentImage(db, e, OPTIONS);
    expect(await restoreImage(db, 'p0', MANIFEST, OPTIONS)).not.toBeNull();
    // The same photo processed again (another drop): the earlier run's summary is still stored.
    await embedded(db, e);
    await putSummary(db, summary);
    expect(await restoreImage(db, 'p0', MANIFEST, OPTIONS)).toBeNull();
  });
});
