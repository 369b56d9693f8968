/**
 * `waotp verify`: run a provider's documented cases against any base URL and report drift.
 * @module
 */
import { readFile } from 'node:fs/promises';
import type { OpenAPIObject } from 'openapi3-ts/oas31';
import { formatCases, runCases } from '../contracts/cases.js';
import { providers } from '../providers/index.js';
import { parseYaml } from '../util/yaml.js';
import { guard, parse, UsageError } from './args.js';

export const HELP = `Usage: waotp verify --provider <id> --base-url <url> [--config file]

Runs the provider's documented cases (for Verihubs, its sandbox tables; for every provider, its sample
request, a request without credentials and one with an empty body) against the base URL, checks each
reply against the provider's contract, and prints a table. Exits 1 when anything drifted, 2 when the
base URL cannot be reached at all (nothing listens, no such host).

Options:
  --provider <id>   ${providers.map((p) => p.id).join(' | ')}
  --base-url <url>  a real provider sandbox, or a simulator (e.g. http://127.0.0.1:4010)
  --config <file>   YAML: headers (credentials to send instead of the demo ones) and to (the recipient)`;

const CONTRACTS = new URL('../../contracts/', import.meta.url);

export function run(argv: string[]) {
  return guard('verify', HELP, async () => {
    const { values } = parse(argv, {
      provider: { type: 'string' },
      'base-url': { type: 'string' },
      config: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) return void console.log(HELP);
    const provider = providers.find((p) => p.id === values.provider);
    if (!provider) throw new UsageError(`--provider must be one of ${providers.map((p) => p.id).join(', ')}`);
    if (!values['base-url'] || !/^https?:\/\//.test(values['base-url']))
      throw new UsageError('--base-url must be an http(s) URL');
    let settings: { headers?: Record<string, string>; to?: string } = {};
    if (values.config) {
      settings = ((await parseYaml(await readFile(values.config, 'utf8'))) ?? {}) as typeof settings;
    }
    const unreachable = await reach(values['base-url']);
    if (unreachable) {
      console.error(
        `waotp verify: cannot reach ${values['base-url']}: ${unreachable}; is the server running and the URL right?`,
      );
      return 2;
    }
    const contract = JSON.parse(
      await readFile(new URL(`${provider.id}.openapi.json`, CONTRACTS), 'utf8'),
    ) as OpenAPIObject;
    const results = await runCases({
      provider,
      contract,
      baseUrl: values['base-url'],
      ...(settings.headers && { headers: settings.headers }),
      ...(settings.to && { to: String(settings.to) }),
    });
    console.log(formatCases(provider.id, results));
    return results.some((r) => r.drift.length) ? 1 : 0;
  });
}

/** Why nothing answers at `url` (any HTTP reply, even 404, means it is reachable), or undefined. */
async function reach(url: string, timeoutMs = 5000): Promise<string | undefined> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(url, { method: 'HEAD', signal: controller.signal });
    await response.body?.cancel();
    return undefined;
  } catch (error) {
    if (controller.signal.aborted) return `no answer within ${timeoutMs / 1000} s`;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? (error as Error).message;
  } finally {
    clearTimeout(timer);
  }
}
