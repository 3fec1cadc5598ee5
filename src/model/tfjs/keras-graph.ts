// The Keras layer graph of a TF.js layers model: which layers feed a chosen feature layer, in an order
// that can be emitted, so a classifier can be cut down to the CNN backbone of method.md §1.
import type { KerasLayer, LayersModelJson } from './tfjs-json';

/** Names of the layers a layer reads from; only single-call layers (node 0, tensor 0) are supported. */
export function inboundLayerNames(layer: KerasLayer): string[] {
  if (layer.inbound_nodes.length === 0) return [];
  if (layer.inbound_nodes.length > 1) throw new Error(`layer ${layer.name} is called more than once (shared layers are not supported)`);
  return layer.inbound_nodes[0].map(([name, nodeIndex, tensorIndex]) => {
    if (nodeIndex !== 0 || tensorIndex !== 0) throw new Error(`layer ${layer.name} reads ${name}[${nodeIndex}][${tensorIndex}]: unsupported`);
    return name;
  });
}

export function layersByName(json: LayersModelJson): Map<string, KerasLayer> {
  return new Map(json.modelTopology.model_config.config.layers.map((l) => [l.name, l]));
}

/**
 * The target and all its ancestors, inputs before consumers (depth-first post-order); with `from`,
 * the walk stops at that layer (kept, as the leaf whose output the caller provides).
 */
export function layersUpTo(json: LayersModelJson, target: string, from?: string): KerasLayer[] {
  const byName = layersByName(json);
  if (!byName.has(target)) throw new Error(`the model has no layer "${target}"`);
  if (from !== undefined && !byName.has(from)) throw new Error(`the model has no layer "${from}"`);
  const order: KerasLayer[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  // Explicit stack: InceptionV3 chains are a few hundred layers deep, fine for recursion, but a
  // deeper model should not hit the call-stack limit.
  const stack: { name: string; expanded: boolean }[] = [{ name: target, expanded: false }];
  while (stack.length) {
    const top = stack.pop() as { name: string; expanded: boolean };
    const layer = byName.get(top.name);
    if (!layer) throw new Error(`layer "${top.name}" is referenced but not defined`);
    if (top.expanded) {
      state.set(top.name, 'done');
      order.push(layer);
      continue;
    }
    if (state.get(top.name) === 'done') continue;
    if (state.get(top.name) === 'visiting') throw new Error(`cycle through layer "${top.name}"`);
    state.set(top.name, 'visiting');
    stack.push({ name: top.name, expanded: true });
    const inputs = top.name === from ? [] : inboundLayerNames(layer);
    for (const input of inputs.reverse()) if (state.get(input) !== 'done') stack.push({ name: input, expanded: false });
  }
  return order;
}

/** How many layers of `layers` read each layer's output. */
export function consumerCounts(layers: KerasLayer[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const l of layers) for (const input of inboundLayerNames(l)) counts.set(input, (counts.get(input) ?? 0) + 1);
  return counts;
}
