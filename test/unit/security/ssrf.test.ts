import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../../../src/domain/errors.js';
import { assertPublicUrl, guardedLookup, isPublicAddress } from '../../../src/security/ssrf.js';

describe('isPublicAddress', () => {
  it.each([
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'this network 0/8'],
    ['10.0.0.1', 'private 10/8'],
    ['10.255.255.255', 'private 10/8 end'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.254', 'carrier-grade NAT end'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback end'],
    ['169.254.169.254', 'cloud metadata'],
    ['169.254.0.1', 'link-local'],
    ['172.16.0.1', 'private 172.16/12'],
    ['172.31.255.255', 'private 172.16/12 end'],
    ['192.0.0.8', 'IETF protocol assignments'],
    ['192.0.2.1', 'TEST-NET-1'],
    ['192.88.99.1', '6to4 relay anycast'],
    ['192.168.1.1', 'private 192.168/16'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking end'],
    ['198.51.100.7', 'TEST-NET-2'],
    ['203.0.113.9', 'TEST-NET-3'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast SSDP'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['::', 'IPv6 unspecified'],
    ['::1', 'IPv6 loopback'],
    ['0:0:0:0:0:0:0:1', 'IPv6 loopback, long form'],
    ['fe80::1', 'IPv6 link-local'],
    ['febf:ffff::1', 'IPv6 link-local end'],
    ['fec0::1', 'IPv6 site-local'],
    ['fc00::1', 'unique local fc00::/7'],
    ['fd12:3456:789a::1', 'unique local fd00::/8'],
    ['ff02::1', 'IPv6 multicast'],
    ['100::1', 'discard-only'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback, hex'],
    ['::ffff:169.254.169.254', 'IPv4-mapped metadata'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['0:0:0:0:0:ffff:c0a8:0101', 'IPv4-mapped 192.168.1.1, long form'],
    ['::127.0.0.1', 'IPv4-compatible loopback'],
    ['::10.0.0.1', 'IPv4-compatible private'],
    ['::8.8.8.8', 'IPv4-compatible (deprecated) public'],
    ['::ffff:0:8.8.8.8', 'IPv4-translated (SIIT)'],
    ['64:ff9b::127.0.0.1', 'NAT64 of loopback'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 of metadata'],
    ['64:ff9b::', 'NAT64 of 0.0.0.0'],
    ['64:ff9b:1::8.8.8.8', 'local-use NAT64'],
    ['2002:7f00:1::', '6to4 of loopback'],
    ['2002:a00:1::1', '6to4 of 10.0.0.1'],
    ['2002:a00:808:808::', '6to4 of 10.0.8.8, subnet 0808'],
    ['2001::1', 'Teredo'],
    ['2001:db8::1', 'IPv6 documentation'],
    ['3fff::1', 'IPv6 documentation 3fff::/20'],
    ['fe80::1%eth0', 'scoped link-local'],
    ['127.1', 'shortened IPv4'],
    ['0x7f.0.0.1', 'hex IPv4'],
    ['localhost', 'a name, not an address'],
    ['', 'empty'],
    ['1.2.3.4.5', 'malformed'],
  ])('refuses %s (%s)', (ip) => {
    expect(isPublicAddress(ip)).toBe(false);
  });

  it.each([
    ['8.8.8.8', 'public IPv4'],
    ['1.1.1.1', 'public IPv4'],
    ['100.63.255.255', 'just below carrier-grade NAT'],
    ['100.128.0.0', 'just above carrier-grade NAT'],
    ['172.15.255.255', 'just below 172.16/12'],
    ['172.32.0.0', 'just above 172.16/12'],
    ['169.253.255.255', 'just below link-local'],
    ['192.0.1.1', 'between IETF and TEST-NET-1'],
    ['223.255.255.255', 'just below multicast'],
    ['2606:4700:4700::1111', 'public IPv6'],
    ['2a00:1450:4001:82b::200e', 'public IPv6'],
    ['2001:4860:4860::8888', 'public IPv6 in 2001::/16 outside 2001::/23'],
    ['::ffff:8.8.8.8', 'IPv4-mapped public'],
    ['::ffff:808:808', 'IPv4-mapped public, hex'],
    ['64:ff9b::8.8.8.8', 'NAT64 of public'],
    ['2002:808:808::1', '6to4 of public'],
  ])('accepts %s (%s)', (ip) => {
    expect(isPublicAddress(ip)).toBe(true);
  });
});

describe('assertPublicUrl', () => {
  const check =
    (url: string, allowPrivate = false) =>
    () =>
      assertPublicUrl(new URL(url), allowPrivate);

  it('accepts http and https URLs with public or named hosts', () => {
    expect(check('https://huggingface.co/models/x.zip')).not.toThrow();
    expect(check('http://8.8.8.8:8080/a.zip')).not.toThrow();
    expect(check('http://[2606:4700:4700::1111]/a.zip')).not.toThrow();
    // Names are checked when they resolve (guardedLookup), not here.
    expect(check('http://localhost/a.zip')).not.toThrow();
  });

  it.each(['ftp://example.com/a.zip', 'file:///etc/passwd', 'gopher://example.com/', 'data:text/plain,hi'])(
    'refuses the scheme of %s',
    (url) => {
      expect(check(url)).toThrow(BadRequestError);
      expect(check(url)).toThrow(/must use http or https/);
      expect(check(url, true)).toThrow(BadRequestError);
    },
  );

  it.each([
    'https://user:secret@example.com/a.zip',
    'https://user@example.com/a.zip',
    'https://:secret@example.com/a.zip',
  ])('refuses credentials in %s', (url) => {
    expect(check(url)).toThrow(/must not carry credentials/);
    expect(check(url, true)).toThrow(/must not carry credentials/);
  });

  it.each([
    'http://127.0.0.1/a.zip',
    'http://169.254.169.254/latest/meta-data/',
    'http://0x7f.1/a.zip',
    'http://2130706433/a.zip',
    'http://[::1]:8080/a.zip',
    'http://[::ffff:10.0.0.1]/a.zip',
    'http://[fe80::1]/',
    'http://0/',
  ])('refuses the literal private address in %s unless private targets are allowed', (url) => {
    expect(check(url)).toThrow(BadRequestError);
    expect(check(url)).toThrow(/not on the public internet/);
    expect(check(url, true)).not.toThrow();
  });
});

function resolve(hostname: string, allowPrivate: boolean, all: boolean): Promise<unknown> {
  return new Promise((done, fail) => {
    guardedLookup(allowPrivate)(hostname, { all }, (error, address, family) => {
      if (error) fail(error);
      else done(all ? address : { address, family });
    });
  });
}

// `localhost` resolves from /etc/hosts, so these tests need no network.
describe('guardedLookup', () => {
  it('refuses a name that resolves to a private address', async () => {
    await expect(resolve('localhost', false, false)).rejects.toThrow(BadRequestError);
    await expect(resolve('localhost', false, true)).rejects.toThrow(
      /localhost: it is not on the public internet/,
    );
  });

  it('resolves the name when private targets are allowed, in the shape the caller asked for', async () => {
    const single = (await resolve('localhost', true, false)) as { address: string; family: number };
    expect(single.address).toMatch(/^(127\.|::1$)/);
    expect([4, 6]).toContain(single.family);
    const all = (await resolve('localhost', true, true)) as LookupAddress[];
    expect(all.length).toBeGreaterThan(0);
    expect(all.map(({ address }) => address)).toContain(single.address);
  });

  it('passes resolution failures through', async () => {
    // ENOTFOUND, or EAI_AGAIN where no resolver answers; either way not a refusal.
    const failure = resolve('no-such-host.invalid', true, false);
    await expect(failure).rejects.toMatchObject({ code: expect.stringMatching(/^E/) });
    await expect(failure).rejects.not.toBeInstanceOf(BadRequestError);
  });
});
