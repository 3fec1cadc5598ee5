// The Redis server behind the batch job queue (BullMQ): parses and checks a redis:// URL, and
// says plainly when the server cannot be reached, before BullMQ would retry forever.
import type { RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';

export interface RedisTarget {
  /** ioredis options BullMQ opens its connections with. */
  options: RedisOptions;
  /** The URL without its password, for messages and the status. */
  display: string;
}

const CONNECT_TIMEOUT_MS = 5000;

/** redis://[user:password@]host[:port][/db] or rediss:// (TLS), as managed Redis services give it. */
export function parseRedisUrl(text: string): RedisTarget {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) throw new Error(`"${text}" is not a Redis URL: it must start with redis:// or rediss:// (e.g. redis://127.0.0.1:6379)`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`"${text}" is not a Redis URL; expected redis://host:port (e.g. redis://127.0.0.1:6379)`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new Error(`"${text}" is not a Redis URL: it must start with redis:// or rediss:// (TLS), not ${url.protocol}//`);
  }
  if (!url.hostname) throw new Error(`"${text}" names no host; expected redis://host:port`);
  const port = url.port ? Number(url.port) : 6379;
  const dbText = url.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) throw new Error(`"${text}": the database after the last / must be a number ≥ 0, got "${dbText}"`);
  if (url.search || url.hash) throw new Error(`"${text}": query strings and fragments are not understood; use redis://[user:password@]host:port[/db]`);
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const options: RedisOptions = {
    host: hostname,
    port,
    db,
    // BullMQ's workers block on Redis and must never give up on a command (its documented requirement).
    maxRetriesPerRequest: null,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: { servername: hostname } } : {}),
  };
  const auth = url.username || url.password ? `${url.username ? decodeURIComponent(url.username) : ''}:***@` : '';
  return { options, display: `${url.protocol}//${auth}${url.host}${db ? `/${db}` : ''}` };
}

/** Connects once without retries; throws a message that names the server and what to check. */
export async function checkRedisReachable(target: RedisTarget): Promise<void> {
  const client = new Redis({
    ...target.options,
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // The socket's own error (e.g. ECONNREFUSED) comes as an event; connect() only says the connection closed.
  let socketError: Error | null = null;
  client.on('error', (err: Error) => (socketError ??= err));
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    const reason = (socketError as Error | null)?.message ?? (err as Error).message;
    throw new Error(`cannot reach Redis at ${target.display} (${reason}); is redis-server running there and reachable from this machine?`, { cause: err });
  } finally {
    client.disconnect();
  }
}
