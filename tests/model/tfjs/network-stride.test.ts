// The shift-average step of each CNN candidate is its layer's true stride: one step more input
// gives exactly one more cell (method.md §1), which is what lets shifted passes line up cell by cell.
import { describe, expect, it } from 'vitest';
import { gridSize } from '../../../src/core/backbone/types';
import { buildDefaultCnn, CNN_CANDIDATES, DEFAULT_CNN } from '../../../src/model/cnn-default';
import { loadNsfwjsModel } from '../../../src/model/tfjs/load-package';
import { convertLayersModelToOnnx } from '../../../src/model/tfjs/tfjs-to-onnx';
import { decodeWeights } from '../../../src/model/tfjs/weights';

describe('CNN candidates: shift step = network stride', () => {
  for (const choice of CNN_CANDIDATES.filter((c, i) => i === 0 || c.layer === 'mixed2' || c.network === 'mobilenet_v2').slice(0, 3)) {
    it(`${choice.network}/${choice.layer} @${choice.inputSize}: +${choice.networkStridePx} px gives one more cell, twice that two more`, () => {
      const packaged = loadNsfwjsModel(choice.network);
      const weights = decodeWeights(packaged.json.weightsManifest, packaged.shardBytes);
      const grid = (inputSize: number) => convertLayersModelToOnnx(packaged.json, weights, { outputLayer: choice.layer, inputSize, graphName: 'g', producer: 't', metadata: {} }).gridH;
      const g = grid(choice.inputSize);
      expect(grid(choice.inputSize + choice.networkStridePx)).toBe(g + 1);
      expect(grid(choice.inputSize + 2 * choice.networkStridePx)).toBe(g + 2);
    }, 60_000);
  }

  it('the default manifest carries the step and the grid its single pass makes', async () => {
    const { manifest } = await buildDefaultCnn(DEFAULT_CNN);
    expect(manifest.shiftAverage).toMatchObject({ stepPx: DEFAULT_CNN.networkStridePx, stem: { stepCells: 1 } });
    expect(gridSize(manifest)).toEqual({ gridH: 20, gridW: 20 });
  }, 60_000);
});
