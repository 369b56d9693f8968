/**
 * "Your code" for the README's examples: the small app and client they import, written into the temp project
 * next to them. Each is what the README's comment says it is, nothing more.
 */

/** test/my-app.ts: a login flow that sends its own code through Verihubs and retries a 429 twice. */
export const MY_APP = `
export function createMyApp({ verihubsBaseUrl }: { verihubsBaseUrl: string }) {
  const codes = new Map<string, string>();
  return {
    async requestLoginCode(phone: string): Promise<void> {
      const code = String(100000 + Math.floor(Math.random() * 900000));
      for (let attempt = 1; attempt <= 3; attempt++) {
        const response = await fetch(\`\${verihubsBaseUrl}/v2/whatsapp/otp/send\`, {
          method: 'POST',
          headers: { 'App-ID': 'my-app', 'API-Key': 'my-key', 'Content-Type': 'application/json' },
          body: JSON.stringify({ msisdn: phone.replace(/^\\+/, ''), content: ['Masuk'], otp: code, time_limit: '300' }),
        });
        if (response.status === 429) continue;
        if (!response.ok) throw new Error(\`Verihubs answered \${response.status}\`);
        codes.set(phone, code);
        return;
      }
      throw new Error('Verihubs kept rate-limiting');
    },
    async login(phone: string, code: string): Promise<boolean> {
      return codes.get(phone) === code;
    },
  };
}
`;

/** src/otp/verihubs.ts: "your" Verihubs client; here waotp's own adapter, which speaks Verihubs correctly. */
export const MY_VERIHUBS_CLIENT = `
import { providers } from 'waotp';

export function createMyVerihubsClient(options: { baseUrl: string; appId: string; apiKey: string }) {
  const verihubs = providers.find((p) => p.id === 'verihubs')!.adapter;
  return verihubs.create(verihubs.config.parse(options));
}
`;
