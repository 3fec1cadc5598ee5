// The job-queue forms of `npm run segment` on bad input: malformed or unreachable Redis URLs, mixed
// forms, a folder with no photos, a worker on an empty queue, a second run into a busy --out.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { freeLoopbackPort, startLocalRedis, type LocalRedis } from '../../src/batch/queue/local-redis';
import { parseRedisUrl } from '../../src/batch/queue/redis-url';
import { runSegmentCli } from '../../src/cli/segment';
import { buildTinyModel, removeTempDirs, tempDir } from '../batch/fixtures';
import { describeWithRedis, queuePhotoFolder, redisBinary } from '../batch/queue-fixtures';

afterAll(removeTempDirs);

let stderr = '';
let stdout = '';

beforeEach(() => {
  stderr = '';
  stdout = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Redis URLs', () => {
  it('reads host, port, database, credentials and TLS, and hides the password', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6380').options).toMatchObject({ host: '127.0.0.1', port: 6380, db: 0, maxRetriesPerRequest: null });
    expect(parseRedisUrl('redis://cache.example').options.port).toBe(6379);
    const managed = parseRedisUrl('rediss://default:s%40cret@redis.example:25061/3');
    expect(managed.options).toMatchObject({ host: 'redis.example', port: 25061, db: 3, username: 'default', password: 's@cret', tls: { servername: 'redis.example' } });
    expect(managed.display).toBe('rediss://default:***@redis.example:25061/3');
    expect(parseRedisUrl('redis://[::1]:6379').options.host).toBe('::1');
  });

  it('refuses what is not a Redis URL, saying what is expected', () => {
    expect(() => parseRedisUrl('127.0.0.1:6379')).toThrow(/must start with redis:\/\/ or rediss:\/\//);
    expect(() => parseRedisUrl('http://127.0.0.1:6379')).toThrow(/must start with redis:\/\/ or rediss:\/\/ \(TLS\), not http:/);
    expect(() => parseRedisUrl('redis://127.0.0.1:port')).toThrow(/is not a Redis URL; expected redis:\/\/host:port/);
    expect(() => parseRedisUrl('redis://127.0.0.1:6379/x')).toThrow(/database after the last \/ must be a number/);
    expect(() => parseRedisUrl('redis://127.0.0.1:6379?db=1')).toThrow(/query strings/);
  });
});

describe('npm run segment: job queue arguments', () => {
  it('exits 2 with the usage when the forms are mixed or incomplete', async () => {
    expect(await runSegmentCli(['--worker', 'http://127.0.0.1:6379'])).toBe(2);
    expect(stderr).toContain('must start with redis:// or rediss://');
    expect(await runSegmentCli(['--queue', 'redis://127.0.0.1:6379'])).toBe(2);
    expect(stderr).toContain('--queue needs a photo folder to enqueue (or --status to watch the queue)');
    expect(await runSegmentCli(['photos', '--out', 'x', '--queue', 'redis://127.0.0.1:6379', '--shard', '0/2'])).toBe(2);
    expect(stderr).toContain('--shard cannot be used with --queue');
    expect(await runSegmentCli(['--worker', 'redis://127.0.0.1:6379', '--refine', 'none'])).toBe(2);
    expect(stderr).toContain('--refine does not apply to --worker');
    expect(await runSegmentCli(['photos', '--out', 'x', '--photos-per-job', '5'])).toBe(2);
    expect(stderr).toContain('--photos-per-job only apply with --queue or --worker');
    expect(await runSegmentCli(['--status'])).toBe(2);
    expect(stderr).toContain('--queue needs a Redis URL');
    expect(await runSegmentCli(['photos', '--out', 'x', '--queue', 'redis://127.0.0.1:6379', '--photos-per-job', '0'])).toBe(2);
    expect(stderr).toContain('--photos-per-job must be an integer ≥ 1');
  });

  it('exits 1 naming the server when Redis cannot be reached', async () => {
    const port = await freeLoopbackPort();
    expect(await runSegmentCli(['--worker', `redis://127.0.0.1:${port}`])).toBe(1);
    expect(stderr).toMatch(new RegExp(`cannot reach Redis at redis://127\\.0\\.0\\.1:${port} \\(.*ECONNREFUSED.*\\); is redis-server running there`));
    expect(await runSegmentCli(['--queue', `redis://127.0.0.1:${port}`, '--status'])).toBe(1);
    expect(stderr).toContain(`cannot reach Redis at redis://127.0.0.1:${port}`);
  });
});

describeWithRedis('npm run segment: job queue against a live redis-server', () => {
  let redis: LocalRedis;
  let model: string;
  beforeAll(async () => {
    redis = await startLocalRedis(redisBinary as string);
    model = await buildTinyModel();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('refuses a folder with no photos before enqueuing anything', async () => {
    const folder = tempDir('no-photos');
    writeFileSync(path.join(folder, 'notes.txt'), 'not a photo');
    expect(await runSegmentCli([folder, '--out', tempDir('out'), '--queue', `${redis.url}/4`, '--model', model])).toBe(1);
    expect(stderr).toMatch(/error: no photos \(\.jpg .*\) under /);
    expect(await runSegmentCli(['--queue', `${redis.url}/4`, '--status'])).toBe(0);
    expect(stdout).toContain('no runs (enqueue one with npm run segment -- <folder> --out <dir> --queue');
  });

  it('tells a worker on a queue where nothing was ever enqueued', async () => {
    expect(await runSegmentCli(['--worker', `${redis.url}/2`, '--quiet'])).toBe(1);
    expect(stderr).toContain(`the queue at ${redis.url}/2 holds no jobs: nothing was enqueued there`);
  });

  it('refuses a second run into an --out that a queued run still writes', async () => {
    const url = `${redis.url}/3`;
    const folder = queuePhotoFolder(2);
    const out = tempDir('busy-out');
    expect(await runSegmentCli([folder, '--out', out, '--queue', url, '--model', model, '--refine', 'none'])).toBe(0);
    expect(stderr).toMatch(/enqueued run \S+: 2 photos in 1 shard job\(s\) of ≤ 20, then one finalize job/);
    expect(await runSegmentCli([folder, '--out', out, '--queue', url, '--model', model, '--refine', 'none'])).toBe(1);
    expect(stderr).toMatch(/run \S+ writing into .* is still in the queue; watch it with --queue .* --status/);
    expect(await runSegmentCli(['--queue', url, '--status'])).toBe(0);
    expect(stdout).toContain('shards: 0 done, 0 running, 1 waiting, 0 failed; photos: 0 of 2 done');
    expect(stdout).toContain('finalize: waits for 1 shard(s)');
  });

  it('refuses a run whose settings differ from the cache already in --out, before any job exists', async () => {
    const folder = queuePhotoFolder(2);
    const out = tempDir('other-settings');
    expect(await runSegmentCli([folder, '--out', out, '--queue', `${redis.url}/5`, '--model', model, '--refine', 'none'])).toBe(0);
    expect(await runSegmentCli([folder, '--out', out, '--queue', `${redis.url}/6`, '--model', model, '--refine', 'guided'])).toBe(1);
    expect(stderr).toMatch(/was made with other settings .*Use another --out folder or delete that cache/);
    expect(await runSegmentCli(['--queue', `${redis.url}/6`, '--status'])).toBe(0);
    expect(stdout).toContain('no runs');
  });
});
