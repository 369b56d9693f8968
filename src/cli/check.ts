/**
 * `waotp check <phone> <code>`: ask a running OTP service whether a code is right.
 * @module
 */
import { guard, parse, UsageError } from './args.js';
import { callCore } from './client.js';

export const HELP = `Usage: waotp check <phone> <code> [--url http://127.0.0.1:4020]

Prints the result as JSON; exits 0 when approved, 1 otherwise.`;

export function run(argv: string[]) {
  return guard('check', HELP, async () => {
    const { values, positionals } = parse(
      argv,
      { url: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      true,
    );
    if (values.help) return void console.log(HELP);
    if (positionals.length !== 2) throw new UsageError('give a phone number and a code');
    const code = await callCore(
      values.url,
      '/v1/verifications/check',
      { to: positionals[0], code: positionals[1] },
      (body) => (body as { status?: string }).status === 'approved',
    );
    return code;
  });
}
