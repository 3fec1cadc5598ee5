// Entry of a phase-1 worker thread: Node does not pass tsx's loader to worker threads, so each
// registers it and then loads the TypeScript worker (phase1-thread.ts).
import { register } from 'tsx/esm/api';

register();
await import('./phase1-thread.ts');
