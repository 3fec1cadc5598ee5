// Reads the session store into the adaptation head's training set (method.md §6): each photo's
// tokens, its pseudo labels and the user's labels, as per-patch targets over the head's classes.
import { sessionClasses, classMapOf, overlayUserLabels, pseudoCategoryMap, resolveCategoryMap, type SessionClasses } from '../src/core/adapt/session-targets';
import { patchTargetsFromClassMap } from '../src/core/adapt/targets';
import { IGNORE_TARGET } from '../src/core/adapt/train';
import type { SizeHW } from '../src/core/pipeline/upsample';
import type { ClusterTable } from '../src/core/session/cluster-table';
import { getFeatures, type SessionDb } from '../src/storage/session-db';
import { getLabels, getPass, getUserLabels } from '../src/storage/session-records';

/**
 * Tokens held for one training run at most: past this, photos without the user's labels are left
 * out of training (they are still labelled by the head), so a large session does not run the
 * worker out of memory. 768 MiB ≈ 650 photos of the default CNN's 20×20×768 float32 tokens.
 */
export const MAX_TRAINING_TOKEN_BYTES = 768 * 1024 * 1024;

/** A patch counts as user-labelled when at least this fraction of its pixels is painted: strokes are thinner than patches. */
const USER_MIN_PAINTED_FRACTION = 0.1;

export interface PhotoTokens {
  id: string;
  tokensRowMajor: Float32Array;
  gridH: number;
  gridW: number;
  tokenDim: number;
  modelId: string;
}

export interface TrainingPhoto extends PhotoTokens {
  labelSizeHW: SizeHW;
  /** Head class per patch from the user's labels (IGNORE_TARGET elsewhere). */
  userTargets: Uint8Array;
  /** Head class per patch from the pseudo labels, void where the user has labelled the patch. */
  pseudoTargets: Uint8Array;
  userPatches: number;
}

export interface TrainingSet extends SessionClasses {
  photos: TrainingPhoto[];
  tokenDim: number;
  modelId: string;
  labelledImages: number;
  /** Photos with pseudo labels only that the token budget left out. */
  leftOut: number;
}

/** The user's and the pipeline's labels of one photo as resolved category maps (null when absent or unused). */
async function categoryMaps(db: SessionDb, id: string, table: ClusterTable, pseudoLabels: boolean): Promise<{ user: Uint16Array | null; pseudo: Uint16Array | null; sizeHW: SizeHW } | null> {
  const [pass, labels, user] = await Promise.all([getPass(db, id), getLabels(db, id), getUserLabels(db, id)]);
  if (!pass) return null;
  const sizeHW = pass.labelSizeHW, n = sizeHW.height * sizeHW.width;
  const userMap = user && user.labelledPixels > 0 && user.categoryRowMajor.length === n ? resolveCategoryMap(user.categoryRowMajor, table) : null;
  const pseudoMap = pseudoLabels && labels ? resolveCategoryMap(pseudoCategoryMap(labels, labels.thingCount), table) : null;
  return { user: userMap, pseudo: pseudoMap, sizeHW };
}

export async function readTokens(db: SessionDb, id: string): Promise<PhotoTokens | null> {
  const f = await getFeatures(db, id);
  return f ? { id, tokensRowMajor: f.tokens, gridH: f.gridH, gridW: f.gridW, tokenDim: f.tokenDim, modelId: f.modelId } : null;
}

/**
 * Two passes over the store: the first finds which categories occur (the head's classes), the
 * second turns each photo's maps into patch targets; label maps are never all in memory at once.
 */
export async function readTrainingSet(
  db: SessionDb, ids: readonly string[], table: ClusterTable, pseudoLabels: boolean, onPhoto: (done: number, total: number) => void,
  maxTokenBytes = MAX_TRAINING_TOKEN_BYTES,
): Promise<TrainingSet> {
  const present: Uint16Array[] = [];
  for (const id of ids) {
    const maps = await categoryMaps(db, id, table, pseudoLabels);
    if (maps) present.push(categorySet(maps.user), categorySet(maps.pseudo));
  }
  const classes = sessionClasses(present, table);
  const photos: TrainingPhoto[] = [];
  let tokenDim = 0, modelId = '', tokenBytes = 0, leftOut = 0;
  for (const [i, id] of ids.entries()) {
    onPhoto(i, ids.length);
    const [maps, tokens] = await Promise.all([categoryMaps(db, id, table, pseudoLabels), readTokens(db, id)]);
    if (!maps || !tokens || (!maps.user && !maps.pseudo)) continue;
    if (!maps.user && tokenBytes + tokens.tokensRowMajor.byteLength > maxTokenBytes) {
      leftOut++;
      continue;
    }
    tokenBytes += tokens.tokensRowMajor.byteLength;
    if (tokenDim && (tokens.tokenDim !== tokenDim || tokens.modelId !== modelId)) throw new Error('photos were processed with different models; process them again with one model');
    tokenDim = tokens.tokenDim;
    modelId = tokens.modelId;
    photos.push({ ...tokens, labelSizeHW: maps.sizeHW, ...photoTargets(maps, tokens, classes.categoryIds) });
  }
  if (!photos.length) throw new Error('no processed photo has labels to learn from');
  return { ...classes, photos, tokenDim, modelId, labelledImages: photos.filter((p) => p.userPatches > 0).length, leftOut };
}

function photoTargets(maps: { user: Uint16Array | null; pseudo: Uint16Array | null; sizeHW: SizeHW }, t: PhotoTokens, categoryIds: readonly number[]): Pick<TrainingPhoto, 'userTargets' | 'pseudoTargets' | 'userPatches'> {
  const classCount = categoryIds.length, n = maps.sizeHW.height * maps.sizeHW.width;
  const userTargets = maps.user
    ? patchTargetsFromClassMap(classMapOf(maps.user, categoryIds), maps.sizeHW, t.gridH, t.gridW, classCount, { maxVoidFraction: 1 - USER_MIN_PAINTED_FRACTION })
    : new Uint8Array(t.gridH * t.gridW).fill(IGNORE_TARGET);
  const pseudoTargets = maps.pseudo
    ? patchTargetsFromClassMap(classMapOf(overlayUserLabels(maps.pseudo, maps.user, n), categoryIds), maps.sizeHW, t.gridH, t.gridW, classCount)
    : new Uint8Array(t.gridH * t.gridW).fill(IGNORE_TARGET);
  let userPatches = 0;
  for (let p = 0; p < userTargets.length; p++) {
    if (userTargets[p] === IGNORE_TARGET) continue;
    userPatches++;
    pseudoTargets[p] = IGNORE_TARGET;
  }
  return { userTargets, pseudoTargets, userPatches };
}

/** The distinct categories of a map (sessionClasses only needs which occur). */
function categorySet(map: Uint16Array | null): Uint16Array {
  return map ? Uint16Array.from(new Set(map)) : new Uint16Array(0);
}
