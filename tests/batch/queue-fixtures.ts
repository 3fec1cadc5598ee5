// Set-up for the job queue tests: a folder of photos (coco-dev links, or generated PNG/JPEG
// photos of shapes where the data is absent), and `npm run segment` as child processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encode as encodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { describe } from 'vitest';
import { findRedisServer } from '../../src/batch/queue/local-redis';
import { hasSharedData, sharedPath } from '../helpers/shared-data';
import { tempDir } from './fixtures';

const ROOT = path.resolve(__dirname, '../..');

export const redisBinary = findRedisServer();

/** describe() that runs where redis-server is installed and otherwise skips loudly, naming it. */
export function describeWithRedis(name: string, fn: () => void): void {
  if (redisBinary) {
    describe(name, fn);
    return;
  }
  console.warn(`\n*** SKIPPED "${name}": the binary redis-server is missing (not on PATH, /usr/bin or /usr/sbin). ` +
    'Install it with `npm run setup -- --test` (Debian: apt-get install redis-server). ***\n');
  describe.skip(`${name} [needs redis-server]`, fn);
}

/** Set U2SEG_TEST_GENERATED_PHOTOS=1 to run on generated photos even where coco-dev exists. */
export function usesCocoDev(): boolean {
  return hasSharedData('coco-dev', 'images') && process.env.U2SEG_TEST_GENERATED_PHOTOS !== '1';
}

/** A seeded RGBA photo: a gradient with a few filled rectangles and ellipses. */
export function shapesPhoto(seed: number, width: number, height: number): Uint8Array {
  let state = (seed * 2654435761) >>> 0 || 1;
  const rand = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const rgba = new Uint8Array(width * height * 4);
  const shapes = Array.from({ length: 2 + Math.floor(rand() * 3) }, () => ({
    ellipse: rand() < 0.5, cx: rand() * width, cy: rand() * height, rx: 15 + rand() * width * 0.25, ry: 15 + rand() * height * 0.25,
    colour: [rand() * 255, rand() * 255, rand() * 255],
  }));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let c = [60 + (120 * x) / width, 90 + (100 * y) / height, 140];
      for (const s of shapes) {
        const dx = (x - s.cx) / s.rx, dy = (y - s.cy) / s.ry;
        if (s.ellipse ? dx * dx + dy * dy <= 1 : Math.abs(dx) <= 1 && Math.abs(dy) <= 1) c = s.colour;
      }
      rgba.set([c[0], c[1], c[2], 255], (y * width + x) * 4);
    }
  }
  return rgba;
}

/** `count` photos: the first coco-dev photos (linked) or generated ones, alternately JPEG and PNG. */
export function queuePhotoFolder(count: number): string {
  const dir = tempDir('queue-photos');
  if (usesCocoDev()) {
    const names = readdirSync(sharedPath('coco-dev', 'images')).filter((n) => n.endsWith('.jpg')).sort().slice(0, count);
    if (names.length < count) throw new Error(`coco-dev has ${names.length} photos; the test needs ${count}`);
    for (const n of names) symlinkSync(sharedPath('coco-dev', 'images', n), path.join(dir, n));
    return dir;
  }
  for (let i = 0; i < count; i++) {
    const [width, height] = [224 + (i % 3) * 48, 168 + (i % 2) * 40];
    const data = shapesPhoto(i + 1, width, height);
    const bytes = i % 2 ? encodePng({ width, height, data, channels: 4 }) : jpeg.encode({ data, width, height }, 90).data;
    writeFileSync(path.join(dir, `shapes-${String(i).padStart(3, '0')}.${i % 2 ? 'png' : 'jpg'}`), bytes);
  }
  return dir;
}

export interface CliProcess {
  child: ChildProcess;
  /** What BullMQ records as processedBy for a worker (jobs.ts workerName). */
  name: string;
  output(): string;
  exited: Promise<number | null>;
}

/**
 * `npm run segment -- <args>` as `node --import tsx` (no wrapper process, so the pid is the
 * worker's own), in its own process group so that its sandboxed children can be found and killed.
 */
export function spawnSegment(args: string[]): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/segment.ts'), ...args], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, name: `${os.hostname()}:${child.pid}`, output: () => output, exited };
}

/** Whether any process of the group led by pid is alive. */
export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGKILL to a whole process group (a worker and its sandboxed children); quiet if it is gone. */
export function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | null | undefined | false> | T | null | undefined | false, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
