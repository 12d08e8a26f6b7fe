import { LookupAddress } from 'node:dns';
import { isPublicAddress, publicOnlyLookup, refuseWebhookUrl } from './webhook-address-policy';

describe('refuseWebhookUrl', () => {
  it('should accept public http and https URLs', () => {
    expect(refuseWebhookUrl('https://hooks.example.com/sms', false)).toBeNull();
    expect(refuseWebhookUrl('http://93.184.216.34:8080/x', false)).toBeNull();
  });

  it.each([
    ['ftp://example.com/x', 'http or https'],
    ['not a url', 'valid absolute URL'],
    ['https://user:pw@example.com/', 'credentials'],
    ['http://127.0.0.1/x', '127.0.0.1'],
    ['http://10.1.2.3/x', '10.1.2.3'],
    ['http://192.168.0.10/x', '192.168.0.10'],
    ['http://169.254.169.254/latest/meta-data', '169.254.169.254'],
    ['http://[::1]/x', '::1'],
    ['http://[fe80::1]/x', 'fe80::1'],
    ['http://[::ffff:127.0.0.1]/x', 'private'],
    // IPv4-compatible (::/96): URL normalises it to [::7f00:1], which ipaddr.js calls unicast.
    ['http://[::127.0.0.1]:4799/', 'private'],
    ['http://[::a00:5]/x', 'private'],
    ['http://localhost:3000/x', 'localhost'],
  ])('should refuse %s', (url, why) => {
    expect(refuseWebhookUrl(url, false)).toContain(why);
  });

  it('should allow private targets when told to', () => {
    expect(refuseWebhookUrl('http://127.0.0.1:4000/hook', true)).toBeNull();
    expect(refuseWebhookUrl('ftp://127.0.0.1/hook', true)).toContain('http or https');
  });
});

describe('isPublicAddress', () => {
  it('should classify addresses', () => {
    expect(isPublicAddress('8.8.8.8')).toBe(true);
    expect(isPublicAddress('2606:4700:4700::1111')).toBe(true);
    expect(isPublicAddress('100.64.0.1')).toBe(false);
    expect(isPublicAddress('0.0.0.0')).toBe(false);
    expect(isPublicAddress('fd00::1')).toBe(false);
    expect(isPublicAddress('nonsense')).toBe(false);
  });
});

describe('publicOnlyLookup', () => {
  const resolverAnswering =
    (addresses: LookupAddress[]) =>
    (_host: string, _options: unknown, callback: (e: null, a: LookupAddress[]) => void): void =>
      callback(null, addresses);

  it('should refuse a host that resolves to a private address at connect time', (done) => {
    const lookup = publicOnlyLookup(resolverAnswering([{ address: '10.0.0.5', family: 4 }]) as never);
    lookup('rebinding.example', {}, (error, address) => {
      expect(error?.code).toBe('EADDRNOTPUBLIC');
      expect(address).toBe('');
      done();
    });
  });

  it('should refuse when any of several answers is private', (done) => {
    const lookup = publicOnlyLookup(
      resolverAnswering([
        { address: '93.184.216.34', family: 4 },
        { address: '127.0.0.1', family: 4 },
      ]) as never,
    );
    lookup('mixed.example', { all: true }, (error, addresses) => {
      // The tenant reads this error: the host, not the address the service's resolver gave.
      expect(error?.message).toBe('webhook host mixed.example resolves to a non-public address');
      expect(addresses).toEqual([]);
      done();
    });
  });

  it('should pass public answers through in the shape asked for', (done) => {
    const lookup = publicOnlyLookup(resolverAnswering([{ address: '93.184.216.34', family: 4 }]) as never);
    lookup('public.example', {}, (error, address, family) => {
      expect(error).toBeNull();
      expect(address).toBe('93.184.216.34');
      expect(family).toBe(4);
      done();
    });
  });
});
