/**
 * `waotp send <phone>`: ask a running OTP service to send a code.
 * @module
 */
import { guard, parse, UsageError } from './args.js';
import { callCore } from './client.js';

export const HELP = `Usage: waotp send <phone> [--provider <id>] [--locale <lang>] [--url http://127.0.0.1:4020]

Prints the verification as JSON. Environment: WAOTP_API_KEY when the service requires one.`;

export function run(argv: string[]) {
  return guard('send', HELP, async () => {
    const { values, positionals } = parse(
      argv,
      {
        provider: { type: 'string' },
        locale: { type: 'string' },
        url: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      true,
    );
    if (values.help) return void console.log(HELP);
    if (positionals.length !== 1) throw new UsageError('give exactly one phone number');
    const body = {
      to: positionals[0],
      ...(values.provider && { provider: values.provider }),
      ...(values.locale && { locale: values.locale }),
    };
    return callCore(values.url, '/v1/verifications', body);
  });
}
