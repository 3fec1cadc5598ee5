// Locates ../shared/data (real photos and ground truth, never copied into the repo) and skips
// the tests that need it with a message that says so, rather than silently.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'vitest';

export const SHARED_DATA = path.resolve(__dirname, '../../../shared/data');

export function sharedPath(...parts: string[]): string {
  return path.join(SHARED_DATA, ...parts);
}

export function hasSharedData(...parts: string[]): boolean {
  return existsSync(sharedPath(...parts));
}

/**
 * describe() that runs when ../shared/data/<parts> exists. Otherwise `fn` is never called (vitest
 * collects a skipped describe's body, which would read the missing files) and one skipped test
 * names the missing folder, so the skip shows in the counts and in the log.
 */
export function describeWithData(name: string, parts: string[], fn: () => void): void {
  if (hasSharedData(...parts)) {
    describe(name, fn);
    return;
  }
  const reason = `needs ${sharedPath(...parts)} (see the README's quick start: ../shared/data adds real-photo quality checks)`;
  console.warn(`SKIPPED "${name}": ${reason}`);
  describe(name, () => {
    it.skip(reason, () => {});
  });
}
