// Writes ONNX graphs from TypeScript: the one place that knows the ONNX protobuf schema.
// Every model this project makes (tiny test ViT, DINO conversions, the CNN default) goes through it.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
type INodeProto = onnxProto.onnx.INodeProto;
type ITensorProto = onnxProto.onnx.ITensorProto;
type IValueInfoProto = onnxProto.onnx.IValueInfoProto;
type IAttributeProto = onnxProto.onnx.IAttributeProto;

/** The opset every graph here targets: LayerNormalization needs 17; ORT 1.30 runs it everywhere. */
export const OPSET = 17;
const IR_VERSION = 8;

export type AttrValue = number | number[] | string | Float32Array;
export type Dim = number | string;

export const DataType = { FLOAT: 1, INT64: 7 } as const;

export interface ModelMeta {
  producer: string;
  docString?: string;
  metadata?: Record<string, string>;
}

function attribute(name: string, value: AttrValue): IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(value) };
  if (value instanceof Float32Array) return { name, type: T.FLOATS, floats: Array.from(value) };
  if (Array.isArray(value)) return { name, type: T.INTS, ints: value };
  // ONNX distinguishes int and float attributes; callers pass floats with a fractional part or
  // through `floatAttr` when the op wants a float that happens to be whole (e.g. alpha = 1).
  if (Number.isInteger(value)) return { name, type: T.INT, i: value };
  return { name, type: T.FLOAT, f: value };
}

/** Forces an attribute to be written as FLOAT even when its value is whole. */
export class FloatAttr {
  constructor(readonly value: number) {}
}

function valueInfo(name: string, elemType: number, dims: Dim[]): IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/**
 * Accumulates nodes and weights, then serialises one ModelProto. Names are generated so that graph
 * code reads as dataflow: `const y = g.op('Add', [x, b])`.
 */
export class GraphBuilder {
  private readonly nodes: INodeProto[] = [];
  private readonly initializers: ITensorProto[] = [];
  private readonly inputs: IValueInfoProto[] = [];
  private readonly outputs: IValueInfoProto[] = [];
  private readonly names = new Set<string>();
  private counter = 0;

  constructor(readonly graphName: string) {}

  private fresh(prefix: string): string {
    let name = `${prefix}_${this.counter++}`;
    while (this.names.has(name)) name = `${prefix}_${this.counter++}`;
    this.names.add(name);
    return name;
  }

  input(name: string, dims: Dim[], elemType: number = DataType.FLOAT): string {
    this.names.add(name);
    this.inputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  output(name: string, dims: Dim[], elemType: number = DataType.FLOAT): void {
    this.outputs.push(valueInfo(name, elemType, dims));
  }

  /** Adds a float32 weight; the data is copied into the protobuf as raw little-endian bytes. */
  weight(prefix: string, data: Float32Array, dims: number[]): string {
    const expected = dims.reduce((a, b) => a * b, 1);
    if (expected !== data.length) {
      throw new Error(`weight ${prefix}: ${data.length} values do not fill dims [${dims.join(', ')}]`);
    }
    const name = this.fresh(prefix);
    const raw = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    this.initializers.push({ name, dims, dataType: DataType.FLOAT, rawData: raw });
    return name;
  }

  int64s(prefix: string, values: number[]): string {
    const name = this.fresh(prefix);
    const raw = new Uint8Array(values.length * 8);
    const view = new DataView(raw.buffer);
    values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
    this.initializers.push({ name, dims: [values.length], dataType: DataType.INT64, rawData: raw });
    return name;
  }

  scalar(prefix: string, value: number): string {
    return this.weight(prefix, new Float32Array([value]), []);
  }

  /** One node with one output; `outName` pins the output name (graph outputs). */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue | FloatAttr> = {}, outName?: string): string {
    return this.opMulti(opType, inputs, 1, attrs, outName ? [outName] : undefined)[0];
  }

  opMulti(
    opType: string,
    inputs: string[],
    nOutputs: number,
    attrs: Record<string, AttrValue | FloatAttr> = {},
    outNames?: string[],
  ): string[] {
    const outputs = outNames ?? Array.from({ length: nOutputs }, () => this.fresh(opType.toLowerCase()));
    outNames?.forEach((n) => this.names.add(n));
    const attribute_ = Object.entries(attrs).map(([k, v]) =>
      v instanceof FloatAttr ? { name: k, type: onnx.AttributeProto.AttributeType.FLOAT, f: v.value } : attribute(k, v),
    );
    this.nodes.push({ opType, input: inputs, output: outputs, name: this.fresh(`n_${opType}`), attribute: attribute_ });
    return outputs;
  }

  toBytes(meta: ModelMeta): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      producerName: meta.producer,
      docString: meta.docString ?? '',
      opsetImport: [{ domain: '', version: OPSET }],
      metadataProps: Object.entries(meta.metadata ?? {}).map(([key, value]) => ({ key, value })),
      graph: {
        name: this.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
