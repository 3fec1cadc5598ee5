// Tests the backbone validator: the tiny ViT passes; truncated files, non-models and graphs with
// wrong inputs or outputs (built with GraphBuilder) get messages that say exactly what is wrong.
import { describe, expect, it } from 'vitest';
import { GraphBuilder, type Dim } from '../../src/model/onnx/graph-builder';
import { assertBackboneOnnx, checkBackboneOnnx } from '../../src/model/validate';
import { buildTinyVitOnnx } from '../../src/model/vit/tiny-vit';

interface FakeSpec {
  input?: Dim[];
  outputs: Record<string, Dim[]>;
  extraInput?: boolean;
}

/** A valid graph whose declared signature is whatever the test needs (Identity ops feed outputs). */
function fakeModel(spec: FakeSpec): Uint8Array {
  const g = new GraphBuilder('fake');
  const x = g.input('image', spec.input ?? [1, 3, 224, 224]);
  if (spec.extraInput) g.input('mask', [1, 224, 224]);
  for (const [name, dims] of Object.entries(spec.outputs)) {
    g.op('Identity', [x], {}, name);
    g.output(name, dims);
  }
  return g.toBytes({ producer: 'test' });
}

const GOOD_OUTPUTS = { keys: [196, 384], tokens: [196, 384], cls: [384] };

describe('checkBackboneOnnx', () => {
  it('accepts the tiny ViT and reports its signature', () => {
    expect(checkBackboneOnnx(buildTinyVitOnnx(0))).toMatchObject({
      problems: [],
      signature: { inputName: 'image', inputSize: 224, grid: 14, keyDim: 48, tokenDim: 48, clsDim: 48 },
    });
    expect(assertBackboneOnnx(fakeModel({ outputs: GOOD_OUTPUTS })).grid).toBe(14);
  });

  it('refuses truncated files and non-models', () => {
    const tiny = buildTinyVitOnnx(0);
    expect(checkBackboneOnnx(tiny.subarray(0, 5000)).problems[0]).toMatch(/^not an ONNX model \(the file is truncated or not protobuf\)/);
    expect(checkBackboneOnnx(new Uint8Array(10)).problems).toEqual(['not an ONNX model: only 10 bytes']);
    const text = new TextEncoder().encode('this is a text file, not a model at all');
    expect(checkBackboneOnnx(text).problems[0]).toMatch(/^not an ONNX model/);
    expect(() => assertBackboneOnnx(text)).toThrow(/^not a usable backbone: not an ONNX model/);
  });

  it('says which output has the wrong shape', () => {
    const check = checkBackboneOnnx(fakeModel({ outputs: { ...GOOD_OUTPUTS, keys: [1, 197, 384] } }));
    expect(check.problems).toEqual(["output 'keys' has shape [1,197,384]; expected [N, C]"]);
    expect(check.signature).toBeUndefined();
    expect(checkBackboneOnnx(fakeModel({ outputs: { ...GOOD_OUTPUTS, cls: [1, 384] } })).problems).toEqual([
      "output 'cls' has shape [1,384]; expected [C]",
    ]);
    expect(checkBackboneOnnx(fakeModel({ outputs: { ...GOOD_OUTPUTS, tokens: ['N', 384] } })).problems).toEqual([
      "output 'tokens' has shape [N,384]; expected [N, C] with fixed sizes",
    ]);
  });

  it('names missing outputs and lists the ones present', () => {
    expect(checkBackboneOnnx(fakeModel({ outputs: { keys: [196, 384], features: [196, 384], cls: [384] } })).problems).toEqual([
      "the model has no output 'tokens' (outputs: 'keys', 'features', 'cls')",
    ]);
  });

  it('checks that the grid is square and the outputs agree', () => {
    expect(checkBackboneOnnx(fakeModel({ outputs: { keys: [197, 384], tokens: [197, 384], cls: [384] } })).problems).toEqual([
      "output 'keys' has N = 197 rows, not a square grid",
    ]);
    expect(checkBackboneOnnx(fakeModel({ outputs: { keys: [196, 64], tokens: [100, 384], cls: [256] } })).problems).toEqual([
      "outputs 'keys' and 'tokens' have 196 and 100 rows; expected the same N",
      "output 'cls' has 256 values but 'tokens' has C = 384; expected equal",
    ]);
  });

  it('checks the image input', () => {
    expect(checkBackboneOnnx(fakeModel({ input: [1, 3, 224, 200], outputs: GOOD_OUTPUTS })).problems).toEqual([
      "input 'image' has shape [1,3,224,200]; expected [1, 3, S, S] with a fixed S",
    ]);
    expect(checkBackboneOnnx(fakeModel({ input: [1, 3, 'H', 'W'], outputs: GOOD_OUTPUTS })).problems[0]).toMatch(/has shape \[1,3,H,W\]/);
    expect(checkBackboneOnnx(fakeModel({ input: ['batch', 3, 224, 224], outputs: GOOD_OUTPUTS })).problems).toEqual([]);
    expect(checkBackboneOnnx(fakeModel({ extraInput: true, outputs: GOOD_OUTPUTS })).problems).toEqual([
      "the model has 2 inputs ('image', 'mask'); expected one image input",
    ]);
  });

  it('accepts custom output names from a manifest', () => {
    const bytes = fakeModel({ outputs: { k: [196, 64], t: [196, 384], c: [384] } });
    expect(checkBackboneOnnx(bytes, { keys: 'k', tokens: 't', cls: 'c' }).signature?.keyDim).toBe(64);
  });
});
