// Bump allocation of the module's linear memory for the dense CRF kernels (method.md §2 step 7, §4).
// The host owns the layout: it allocates, and rewinds to a mark when a temporary is no longer needed.

let top: usize = 0;

/** First free byte (16-aligned); the heap starts after the module's static data. */
export function heapTop(): usize {
  if (top == 0) top = (__heap_base + 15) & ~(<usize>15);
  return top;
}

/** Rewinds (or advances) the bump pointer; memory above it is free for the next allocation. */
export function setHeapTop(ptr: usize): void {
  top = (ptr + 15) & ~(<usize>15);
}

/** `bytes` of memory, 16-aligned, NOT zeroed (the region may have been used before). */
export function alloc(bytes: usize): usize {
  const ptr = heapTop();
  const end = (ptr + bytes + 15) & ~(<usize>15);
  const pagesNeeded = <i32>((end + 0xffff) >>> 16) - memory.size();
  if (pagesNeeded > 0 && memory.grow(pagesNeeded) < 0) unreachable();
  top = end;
  return ptr;
}

/** alloc() then zero-filled. */
export function allocZeroed(bytes: usize): usize {
  const ptr = alloc(bytes);
  memory.fill(ptr, 0, bytes);
  return ptr;
}
