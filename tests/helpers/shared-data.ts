// Locates ../shared/data (real photos and ground truth, never copied into the repo) and skips
// the tests that need it with a message that says so, rather than silently.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe } from 'vitest';

export const SHARED_DATA = path.resolve(__dirname, '../../../shared/data');

export function sharedPath(...parts: string[]): string {
  return path.join(SHARED_DATA, ...parts);
}

export function hasSharedData(...parts: string[]): boolean {
  return existsSync(sharedPath(...parts));
}

/** describe() that runs when ../shared/data/<parts> exists and otherwise skips loudly. */
export function describeWithData(name: string, parts: string[], fn: () => void): void {
  if (hasSharedData(...parts)) {
    describe(name, fn);
  } else {
    console.warn(`SKIPPED "${name}": ${sharedPath(...parts)} is absent (see ../shared/data/README.md)`);
    describe.skip(`${name} [needs ../shared/data/${parts.join('/')}]`, fn);
  }
}
