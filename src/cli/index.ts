/**
 * `waotp <command>`: one file per subcommand, loaded only when called so start-up stays fast.
 * @module
 */
import { readFileSync } from 'node:fs';
import { didYouMean } from '../util/suggest.js';

type Command = { run(argv: string[]): Promise<number | undefined>; HELP: string };

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  sim: { summary: 'start the fake-provider simulator', load: () => import('./sim.js') },
  dev: { summary: 'start the simulator and an OTP service wired to it', load: () => import('./dev.js') },
  serve: { summary: 'serve the OTP service (production)', load: () => import('./serve.js') },
  send: { summary: 'send a code through a running OTP service', load: () => import('./send.js') },
  check: { summary: 'check a code with a running OTP service', load: () => import('./check.js') },
  verify: { summary: "check a provider's documented cases against any base URL", load: () => import('./verify.js') },
};

export const USAGE = `Usage: waotp <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join('\n')}

Other:
  waotp help <command>   a command's options (or: waotp <command> --help)
  waotp --version        the installed version`;

/** The package's version, read from its package.json (the same two levels up from src/cli and dist/bin). */
export function version(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string })
    .version;
}

function unknownCommand(name: string): number {
  const known = Object.keys(COMMANDS);
  console.error(
    `waotp: unknown command "${name}"${didYouMean(name, known)}; commands: ${known.join(', ')} (waotp --help)`,
  );
  return 2;
}

export async function main(argv: string[]): Promise<number | undefined> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    // Nothing asked: say how to ask, and fail so a script that forgot its command does not pass silently.
    console.error(USAGE);
    return 2;
  }
  if (name === '--help' || name === '-h') return void console.log(USAGE);
  if (name === '--version' || name === '-v' || name === 'version') return void console.log(version());
  if (name === 'help') {
    if (rest[0] === undefined) return void console.log(USAGE);
    const command = COMMANDS[rest[0]];
    return command ? void console.log((await command.load()).HELP) : unknownCommand(rest[0]);
  }
  if (name.startsWith('-')) {
    console.error(
      `waotp: unknown option "${name}"${didYouMean(name, ['--help', '--version'])}; ` +
        'the first argument is a command (waotp --help)',
    );
    return 2;
  }
  const command = COMMANDS[name];
  return command ? (await command.load()).run(rest) : unknownCommand(name);
}
