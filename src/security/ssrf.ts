import { type LookupAddress, lookup } from 'node:dns';
import { BlockList, isIPv4, isIPv6, type LookupFunction } from 'node:net';
import { BadRequestError } from '../domain/errors.js';

/**
 * Server-side request forgery guard for user-supplied source URLs: the registry must not be
 * usable to reach its own host, the cloud metadata service or the private network around it.
 */

function blockList(family: 'ipv4' | 'ipv6', subnets: string[]): BlockList {
  const list = new BlockList();
  for (const subnet of subnets) {
    const [network, prefix] = subnet.split('/') as [string, string];
    list.addSubnet(network, Number(prefix), family);
  }
  return list;
}

/** IPv4 ranges that are not globally reachable (IANA special-purpose registry and RFC 1918). */
const NON_PUBLIC_V4 = blockList('ipv4', [
  '0.0.0.0/8', // "this network", incl. the unspecified 0.0.0.0
  '10.0.0.0/8', // private
  '100.64.0.0/10', // carrier-grade NAT
  '127.0.0.0/8', // loopback
  '169.254.0.0/16', // link-local, incl. cloud metadata 169.254.169.254
  '172.16.0.0/12', // private
  '192.0.0.0/24', // IETF protocol assignments
  '192.0.2.0/24', // documentation (TEST-NET-1)
  '192.88.99.0/24', // deprecated 6to4 relay anycast
  '192.168.0.0/16', // private
  '198.18.0.0/15', // benchmarking
  '198.51.100.0/24', // documentation (TEST-NET-2)
  '203.0.113.0/24', // documentation (TEST-NET-3)
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, incl. broadcast 255.255.255.255
]);

/**
 * Only global unicast (2000::/3) is public in IPv6. That one rule already refuses loopback,
 * unspecified, link-local, unique-local, multicast, site-local and the deprecated
 * IPv4-compatible form; these are the non-public parts inside it.
 */
const GLOBAL_UNICAST_V6 = blockList('ipv6', ['2000::/3']);
const NON_PUBLIC_V6 = blockList('ipv6', [
  '2001::/23', // IETF protocol assignments, incl. Teredo 2001::/32
  '2001:db8::/32', // documentation
  '3fff::/20', // documentation
]);

/** IPv6 forms that carry an IPv4 address, which decides where the packets really go. */
const IPV4_CARRIERS = [
  { prefix: blockList('ipv6', ['::ffff:0:0/96']), group: 6 }, // IPv4-mapped
  { prefix: blockList('ipv6', ['64:ff9b::/96']), group: 6 }, // NAT64 well-known prefix
  { prefix: blockList('ipv6', ['2002::/16']), group: 1 }, // 6to4
];

/**
 * True only for an address on the public internet. Anything that is not a canonical IPv4 or
 * IPv6 address (zone ids, shortened IPv4 like `127.1`) is refused rather than interpreted.
 */
export function isPublicAddress(ip: string): boolean {
  if (isIPv4(ip)) return !NON_PUBLIC_V4.check(ip, 'ipv4');
  const groups = ipv6Groups(ip);
  if (groups === null) return false;
  const carrier = IPV4_CARRIERS.find(({ prefix }) => prefix.check(ip, 'ipv6'));
  if (carrier) return isPublicAddress(ipv4At(groups, carrier.group));
  return GLOBAL_UNICAST_V6.check(ip, 'ipv6') && !NON_PUBLIC_V6.check(ip, 'ipv6');
}

/** The eight 16-bit groups of an IPv6 address, or null when it is not one. */
function ipv6Groups(ip: string): number[] | null {
  if (!isIPv6(ip) || ip.includes('%')) return null;
  // The URL parser validates and normalises (embedded dotted IPv4 becomes hex groups).
  const normalized = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  const [head, tail] = normalized.split('::') as [string, string | undefined];
  const parse = (part: string | undefined) =>
    part ? part.split(':').map((g) => Number.parseInt(g, 16)) : [];
  const left = parse(head);
  const right = parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

function ipv4At(groups: number[], index: number): string {
  const high = groups[index] as number;
  const low = groups[index + 1] as number;
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/**
 * A `lookup` for http(s).request that resolves the host and refuses it when any address is not
 * public. The socket then connects to an address this function validated, so DNS cannot answer
 * differently between the check and the connection (no DNS-rebinding gap).
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '');
      if (!allowPrivate && addresses.some(({ address }) => !isPublicAddress(address))) {
        return callback(refused(hostname), '');
      }
      if (options.all) return callback(null, addresses);
      const [first] = addresses as [LookupAddress];
      callback(null, first.address, first.family);
    });
  };
}

/** Checks a URL before any connection: scheme, credentials and literal IP hosts (which skip DNS). */
export function assertPublicUrl(url: URL, allowPrivate: boolean): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BadRequestError(`Source URLs must use http or https, not ${url.protocol.slice(0, -1)}.`);
  }
  if (url.username || url.password) {
    throw new BadRequestError('Source URLs must not carry credentials.');
  }
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (!allowPrivate && (isIPv4(host) || isIPv6(host)) && !isPublicAddress(host)) {
    throw refused(url.hostname);
  }
}

// The message names the host but not what it resolved to, so refusals do not map internal DNS.
function refused(host: string): BadRequestError {
  return new BadRequestError(
    `Refusing to fetch from ${host}: it is not on the public internet (private network targets are not allowed).`,
    'PRIVATE_NETWORK_TARGET',
  );
}
