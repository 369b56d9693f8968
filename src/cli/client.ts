/**
 * The CLI's HTTP call to a running OTP service.
 * @module
 */

/** POSTs JSON, prints the reply; exit code 0 on success (and when `accept` agrees), 1 otherwise. */
export async function callCore(
  url = 'http://127.0.0.1:4020',
  path: string,
  body: unknown,
  accept: (body: unknown) => boolean = () => true,
): Promise<number> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (process.env.WAOTP_API_KEY) headers.authorization = `Bearer ${process.env.WAOTP_API_KEY}`;
  let response: Response;
  try {
    response = await fetch(`${url.replace(/\/+$/, '')}${path}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    });
  } catch (error) {
    console.error(
      `cannot reach the OTP service at ${url}: ${(error as Error).message} (is "waotp dev" or "waotp serve" running?)`,
    );
    return 1;
  }
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // printed as it came
  }
  (response.ok ? console.log : console.error)(typeof parsed === 'string' ? parsed : JSON.stringify(parsed, null, 2));
  return response.ok && accept(parsed) ? 0 : 1;
}
