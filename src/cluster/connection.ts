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

/** True for an error that retrying cannot mend: a wrong password, or a user without rights. */
function isRefusal(error: Error): boolean {
  return /^(WRONGPASS|NOAUTH|NOPERM)\b/.test(error.message);
}

/**
 * A Redis connection for BullMQ or smqsched's own replies: commands wait through a lost
 * connection (`maxRetriesPerRequest: null`, as BullMQ requires) and ioredis reconnects on its
 * own; passing errors are not printed. A `rediss:` URL connects with TLS (the server's
 * certificate is checked against the system's CAs; `NODE_EXTRA_CA_CERTS` adds a private CA).
 * A refusal (a wrong password) ends the connection and is told to `onRefused` once, with an
 * error that says what to check.
 */
export function connectRedis(url: string, name: string, onRefused: (error: Error) => void): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: null, connectionName: name });
  let refused = false;
  client.on('error', (error: Error) => {
    if (refused || !isRefusal(error)) return; // ioredis reconnects by itself
    refused = true;
    client.disconnect();
    onRefused(
      new Error(
        `Redis at ${redactUrl(url)} refused the connection: ${error.message} Check the password in the URL (redis://:PASSWORD@host:port, or redis://USER:PASSWORD@... for an ACL user) and the user's rights.`,
        { cause: error },
      ),
    );
  });
  return client;
}

/** Resolves with true if `promise` settles within `ms` milliseconds, else with false. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const settled = promise.then(
    () => true as const,
    () => true as const,
  );
  try {
    return await Promise.race([settled, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** How long a connection's QUIT may wait for Redis before the socket is simply closed. */
const QUIT_WAIT_MS = 1000;

/**
 * Closes a connection: QUIT if Redis is there (so commands already sent are answered first),
 * then the socket in any case. Never waits for a Redis that is away.
 */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'ready') await settlesWithin(client.quit(), QUIT_WAIT_MS);
  client.disconnect();
}
