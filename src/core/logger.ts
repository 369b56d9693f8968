/**
 * The service logs through this narrow interface (pino's shape), so an app can hand in its own logger.
 * Nothing logged carries a code, a token or a key: callers log ids, masked numbers and outcome kinds.
 * @module
 */

export interface Logger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/**
 * A JSON-lines logger for the CLI, writing to `destination` (default stderr).
 * @example
 * const logger = await createLogger({ level: 'info' });
 */
export async function createLogger({
  level = 'info',
  destination = 2,
}: {
  level?: string;
  destination?: number | NodeJS.WritableStream;
} = {}): Promise<Logger> {
  const module = (await import('pino')) as typeof import('pino') & { default?: typeof import('pino') };
  // Bundled, pino's CommonJS exports arrive under `default`.
  const pino = module.pino ?? module.default!.pino;
  // Redaction is a second line of defence: no caller puts a code or secret in a log field.
  const redact = [
    'code',
    'secret',
    'apiKey',
    'token',
    'password',
    'authorization',
    '*.code',
    '*.apiKey',
    '*.token',
    '*.password',
  ];
  const stream = typeof destination === 'number' ? pino.destination({ fd: destination, sync: false }) : destination;
  const log = pino({ level, redact: { paths: redact, censor: '[redacted]' }, base: undefined }, stream);
  return {
    info: (fields, message) => log.info(fields, message),
    warn: (fields, message) => log.warn(fields, message),
    error: (fields, message) => log.error(fields, message),
  };
}
