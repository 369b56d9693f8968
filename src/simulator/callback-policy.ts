/**
 * Where delivery callbacks may go. A send's `callback_url` and an On-Prem webhook are whatever the client
 * says, so by default a callback never goes to the simulator's own listening address (an On-Prem webhook
 * set to `/__admin/reset` would reset it), nor to link-local or cloud metadata addresses. The allow-list
 * (`--callback-allow`) narrows further. Names are checked again once resolved, so a name that points at a
 * refused address is refused too.
 * @module
 */
import { lookup as dnsLookup } from 'node:dns';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

/** Where the simulator itself listens; `port` is set once it does. */
export interface SelfAddress {
  host?: string;
  port?: number;
}

export interface CallbackPolicy {
  /** Hosts callbacks may go to (`host`, `host:port` or `*.domain`); empty = any, within the default refusals. */
  allow: readonly string[];
  self: SelfAddress;
}

/** Names of cloud metadata services. */
// assumption: the names AWS, GCP, Azure and Tencent document; others resolve to 169.254.x and are caught there.
const METADATA_NAMES = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.azure.com',
  'metadata.tencentyun.com',
]);

const bare = (host: string) => host.replace(/^\[|\]$/g, '').toLowerCase();

/** Why an address may not receive callbacks, or undefined when it may. */
export function refusedAddress(address: string, port: number, self: SelfAddress): string | undefined {
  const ip = bare(address).replace(/^::ffff:(?=\d+\.)/, '');
  if (isIP(ip) === 4) {
    if (ip.startsWith('169.254.')) return `${ip} is link-local (cloud metadata lives there)`;
    if (ip === '100.100.100.200') return `${ip} is a cloud metadata address`;
  } else if (isIP(ip) === 6) {
    if (/^fe[89ab][0-9a-f]:/.test(ip)) return `${ip} is link-local`;
    if (ip.startsWith('fd00:ec2:')) return `${ip} is the EC2 metadata address range (fd00:ec2::/64)`;
  }
  if (self.port !== undefined && port === self.port && isSelfHost(ip, self))
    return `${address}:${port} is the simulator itself`;
  return undefined;
}

function isSelfHost(ip: string, self: SelfAddress): boolean {
  if (
    ip === 'localhost' ||
    ip.endsWith('.localhost') ||
    ip.startsWith('127.') ||
    ip === '::1' ||
    ip === '0.0.0.0' ||
    ip === '::'
  )
    return true;
  const bound = self.host === undefined ? undefined : bare(self.host);
  if (bound === ip) return true;
  // Bound to every interface: each of this machine's addresses reaches it.
  if (bound === '0.0.0.0' || bound === '::') {
    return Object.values(networkInterfaces()).some((list) => list?.some((i) => bare(i.address) === ip));
  }
  return false;
}

/**
 * Why a URL may not receive callbacks, judged on its name or literal address; undefined when it may (its
 * resolved address is checked again by `guardedLookup`).
 * @example
 * refusedUrl(new URL('http://169.254.169.254/latest'), { allow: [], self: {} }); // '169.254.169.254 is link-local …'
 */
export function refusedUrl(url: URL, { allow, self }: CallbackPolicy): string | undefined {
  const host = bare(url.hostname);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  if (METADATA_NAMES.has(host.replace(/\.$/, ''))) return `refused: ${host} is a cloud metadata name`;
  const refused = refusedAddress(host, port, self);
  if (refused) return `refused: ${refused}`;
  if (!isAllowed(url, allow)) return `refused by the callback allow-list (${allow.join(', ')}): ${url.host}`;
  return undefined;
}

/**
 * Whether a URL's host is on the allow-list: `host`, `host:port`, or `*.domain` for its subdomains; empty allows
 * all.
 */
export function isAllowed(url: URL, allow: readonly string[]): boolean {
  if (allow.length === 0) return true;
  const host = bare(url.hostname);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return allow.some((entry) => {
    const e = entry.trim().toLowerCase();
    if (e.startsWith('*.')) return host.endsWith(e.slice(1));
    const withPort = /^(\[.*\]|[^:]+):(\d+)$/.exec(e);
    if (withPort) return bare(withPort[1]!) === host && withPort[2] === port;
    return bare(e) === host;
  });
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | { address: string; family: number }[],
  family?: number,
) => void;

/**
 * A `lookup` for `http.request` that refuses names resolving to a refused address (DNS names of metadata
 * services, a name pointing back at the simulator).
 */
export function guardedLookup(port: number, self: SelfAddress) {
  return (hostname: string, options: object, callback: LookupCallback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      for (const { address } of addresses) {
        const refused = refusedAddress(address, port, self);
        if (refused)
          return callback(
            Object.assign(new Error(`refused: ${hostname} resolves to ${refused}`), { code: 'EREFUSED' }),
            [],
          );
      }
      const all = (options as { all?: boolean }).all;
      if (all) return callback(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}
