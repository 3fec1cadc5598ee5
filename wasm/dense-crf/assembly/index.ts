// Entry point of the dense CRF WebAssembly module (method.md §2 step 7 and §4): lattice
// construction, lattice filtering and the mean-field normalisation, over host-managed memory.
export { alloc, allocZeroed, heapTop, setHeapTop } from './memory';
export { buildLattice, lastNeighbours } from './lattice';
export { filter4, filter8, normFromSums } from './filter';
export { softmaxPairs, softmaxRows } from './softmax';
