// A BullMQ sandboxed processor that does nothing: bench/queue.ts times the job queue's own cost
// per job with the same sandbox the segment workers use (src/batch/queue/processor.ts).
export default async function noop(): Promise<null> {
  return null;
}
