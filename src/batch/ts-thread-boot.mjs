// Entry of every batch worker thread (phase 1, phase 2's labels): Node does not pass tsx's loader
// to worker threads, so each registers it and then loads its TypeScript module, the last argument.
import { register } from 'tsx/esm/api';

register();
await import(process.argv[process.argv.length - 1]);
