// Reads an ONNX file's signature (inputs, outputs, shapes, metadata) without running it, so a
// dropped model can be refused with a precise reason before any session is created.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export interface TensorSignature {
  name: string;
  elemType: number;
  /** Numbers for fixed dims, strings for symbolic ones, null when the file gives none. */
  dims: (number | string | null)[];
}

export interface OnnxSignature {
  producer: string;
  opset: number;
  inputs: TensorSignature[];
  outputs: TensorSignature[];
  metadata: Record<string, string>;
  nodeCount: number;
}

function signature(v: onnxProto.onnx.IValueInfoProto): TensorSignature {
  const t = v.type?.tensorType;
  return {
    name: v.name ?? '',
    elemType: t?.elemType ?? 0,
    dims: (t?.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : d.dimValue != null ? Number(d.dimValue) : null)),
  };
}

/** Throws an Error whose message says what is wrong when the bytes are not a usable ONNX model. */
export function inspectOnnx(bytes: Uint8Array): OnnxSignature {
  if (bytes.byteLength < 16) throw new Error(`not an ONNX model: only ${bytes.byteLength} bytes`);
  let model: onnxProto.onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new Error(`not an ONNX model (the file is truncated or not protobuf): ${(err as Error).message}`, { cause: err });
  }
  const graph = model.graph;
  if (!graph || !graph.node?.length) throw new Error('not an ONNX model: it has no graph nodes');
  const initNames = new Set((graph.initializer ?? []).map((t) => t.name));
  const metadata: Record<string, string> = {};
  for (const p of model.metadataProps ?? []) if (p.key) metadata[p.key] = p.value ?? '';
  return {
    producer: model.producerName ?? '',
    opset: Number(model.opsetImport?.find((o) => !o.domain)?.version ?? 0),
    // Older exporters list initializers among inputs; they are not real inputs.
    inputs: (graph.input ?? []).filter((i) => !initNames.has(i.name ?? '')).map(signature),
    outputs: (graph.output ?? []).map(signature),
    metadata,
    nodeCount: graph.node.length,
  };
}
