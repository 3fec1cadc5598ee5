// Entry of a phase-2 labels thread: Node does not pass tsx's loader to worker threads, so each
// registers it and then loads the TypeScript worker (labels-thread.ts).
import { register } from 'tsx/esm/api';

register();
await import('./labels-thread.ts');
