import { Redis } from 'ioredis';
import { describeValue } from '../errors.js';

/**
 * A Redis URL as given, checked: `redis://[[user]:password@]host[:port][/db]`, or `rediss://`
 * for TLS.
 *
 * @throws TypeError naming `what` (an option or a flag) for anything else.
 */
export function checkRedisUrl(url: unknown, what: string): string {
  const parsed = typeof url === 'string' && URL.canParse(url) ? new URL(url) : undefined;
  if (parsed === undefined || (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')) {
    const shown = typeof url === 'string' ? describeValue(redactUrl(url)) : describeValue(url);
    throw new TypeError(
      `Expected ${what} to be a Redis URL such as redis://localhost:6379 (rediss:// for TLS, redis://:PASSWORD@host:port with a password), got ${shown}.`,
    );
  }
  return url as string;
}

/** The URL with its password hidden, for messages and logs. */
export function redactUrl(url: string): string {
  if (!URL.canParse(url)) return url;
  const parsed = new URL(url);
  if (parsed.password === '') return url;
  parsed.password = '***';
  return parsed.href;
}

/**
 * A Redis connection for BullMQ or smqsched's own replies: commands wait through a lost
 * connection (`maxRetriesPerRequest: null`, as BullMQ requires) and ioredis reconnects on its
 * own; errors are kept for messages rather than printed. A `rediss:` URL connects with TLS
 * (the server's certificate is checked against the system's CAs; `NODE_EXTRA_CA_CERTS` adds
 * a private CA).
 */
export function connectRedis(url: string, name: string): Redis {
  const client = new Redis(url, {
    maxRetriesPerRequest: null,
    connectionName: name,
  });
  client.on('error', () => {
    // ioredis reconnects by itself; a listener keeps it from printing every failed attempt.
  });
  return client;
}
