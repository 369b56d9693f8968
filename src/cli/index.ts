/**
 * `waotp <command>`: one file per subcommand, loaded only when called so start-up stays fast.
 * @module
 */

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number | void> }> }> = {
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

Run "waotp <command> --help" for a command's options.`;

export async function main(argv: string[]): Promise<number | void> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(USAGE);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`waotp: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  return (await command.load()).run(rest);
}
