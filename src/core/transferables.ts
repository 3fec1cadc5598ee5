// The buffers under a value (typed arrays in objects and arrays), each once: what a postMessage
// can move instead of copy when a photo's pixels and features go from one worker to the next.

/** Every ArrayBuffer behind a typed array reachable from `value`, without duplicates. */
export function transferables(value: unknown): ArrayBuffer[] {
  const found = new Set<ArrayBuffer>();
  const seen = new Set<object>();
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (ArrayBuffer.isView(v)) {
      if (v.buffer instanceof ArrayBuffer) found.add(v.buffer);
      return;
    }
    for (const child of Object.values(v)) walk(child);
  };
  walk(value);
  return [...found];
}
