// Whether the page that started this worker runs with ?debug (it says so in the worker's name):
// test hooks (a simulated crash, recent backbone outputs) exist only then.
export const DEBUG = typeof self !== 'undefined' && /\bdebug\b/.test((self as { name?: string }).name ?? '');

/** Refuses a test hook outside ?debug. */
export function requireDebug(what: string): void {
  if (!DEBUG) throw new Error(`${what} is a test hook: open the page with ?debug`);
}
