/**
 * Shared option parsing for the subcommands: node's own parseArgs, with errors that name the command.
 * @module
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { LOG_FORMATS, LOG_LEVELS } from '../simulator/log-levels.js';
import type { RequestLogOptions } from '../simulator/request-log.js';
import { didYouMean } from '../util/suggest.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses argv or throws a UsageError that says, in one line, which option is wrong and what was meant. */
export function parse<T extends Options>(
  argv: string[],
  options: T,
  allowPositionals = false,
): ReturnType<typeof parseArgs<{ options: T; strict: true; allowPositionals: boolean }>> {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (error) {
    throw new UsageError(explain(error as Error & { code?: string }, Object.keys(options)));
  }
}

/** Node's parseArgs messages are long and speak of its own API; these say what the user typed wrong. */
function explain(error: Error & { code?: string }, names: string[]): string {
  const quoted = /'([^']+)'/.exec(error.message)?.[1] ?? '';
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const option = quoted.split('=')[0]!;
      return `unknown option "${option}"${didYouMean(
        option,
        names.map((n) => `--${n}`),
      )}`;
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument "${quoted}"`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /argument missing/.test(error.message) ? `${quoted.split(' ')[0]} needs a value` : error.message;
    default:
      return error.message;
  }
}

export function port(value: string | undefined, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${name} must be 0-65535, got "${value}"`);
  return n;
}

/** Runs a command body, turning usage errors into exit code 2 with one line that points at the help. */
export async function guard(
  command: string,
  _help: string,
  body: () => Promise<number | undefined>,
): Promise<number | undefined> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`waotp ${command}: ${error.message} (options: waotp help ${command})`);
      return 2;
    }
    console.error(`waotp ${command}: ${(error as Error).message}`);
    return 2;
  }
}

/** Stops `close` on SIGINT/SIGTERM, then exits. */
export function closeOnSignal(close: () => Promise<void>) {
  const stop = () =>
    void close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** `--log-level` and `--log-format`, shared by the commands that serve the simulator. */
export const LOG_OPTIONS = {
  'log-level': { type: 'string', default: 'info' },
  'log-format': { type: 'string' },
} as const;

export const LOG_HELP = [
  '  --log-level <l>  request log on stderr: silent | info (one line per request) | debug (with masked',
  '                   headers and bodies)                    (default info)',
  '  --log-format <f> pretty | json        (default: pretty on a terminal, JSON lines otherwise)',
].join('\n');

/** Checks `--log-level` / `--log-format` against the known values, suggesting the closest. */
export function logOptions(values: { 'log-level'?: string; 'log-format'?: string }): RequestLogOptions {
  const level = oneOf('--log-level', values['log-level'] ?? 'info', LOG_LEVELS);
  const format =
    values['log-format'] === undefined ? undefined : oneOf('--log-format', values['log-format'], LOG_FORMATS);
  return { level, ...(format && { format }) };
}

function oneOf<T extends string>(flag: string, value: string, known: readonly T[]): T {
  if ((known as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${flag} must be ${known.join(' | ')}, got "${value}"${didYouMean(value, known)}`);
}
