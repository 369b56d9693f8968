/**
 * Shared option parsing for the subcommands: node's own parseArgs, with errors that name the command.
 * @module
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';

export class UsageError extends Error {
  override name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses argv or throws a UsageError that says which option is wrong. */
export function parse<T extends Options>(argv: string[], options: T, allowPositionals = false): ReturnType<typeof parseArgs<{ options: T; strict: true; allowPositionals: boolean }>> {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function port(value: string | undefined, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${name} must be 0-65535, got "${value}"`);
  return n;
}

/** Runs a command body, turning usage errors into exit code 2 with the help text. */
export async function guard(command: string, help: string, body: () => Promise<number | void>): Promise<number | void> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`waotp ${command}: ${error.message}\n\n${help}`);
      return 2;
    }
    console.error(`waotp ${command}: ${(error as Error).message}`);
    return 2;
  }
}

/** Stops `close` on SIGINT/SIGTERM, then exits. */
export function closeOnSignal(close: () => Promise<void>) {
  const stop = () => void close().then(() => process.exit(0), () => process.exit(1));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
