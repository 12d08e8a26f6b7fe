import { isConsoleRequest, isSameOrigin, readSessionToken } from './console-session-cookie';

describe('console session cookie', () => {
  it('should read the session token from the Cookie header, and nothing absurdly long', () => {
    expect(readSessionToken({ cookie: 'a=1; bulk_sms_session=abc_DEF-123; b=2' })).toBe('abc_DEF-123');
    expect(readSessionToken({ cookie: 'a=1' })).toBeUndefined();
    expect(readSessionToken({})).toBeUndefined();
    expect(readSessionToken({ cookie: `bulk_sms_session=${'x'.repeat(129)}` })).toBeUndefined();
  });

  it('should accept an Origin naming the requested host (or the proxy-forwarded one) only', () => {
    expect(isSameOrigin({ host: 'sms.example.com', origin: 'https://sms.example.com' }, true)).toBe(true);
    expect(isSameOrigin({ host: '127.0.0.1:3000', origin: 'http://127.0.0.1:3000' }, true)).toBe(true);
    expect(
      isSameOrigin(
        { host: 'internal:3000', 'x-forwarded-host': 'sms.example.com', origin: 'https://sms.example.com' },
        true,
      ),
    ).toBe(true);
    expect(isSameOrigin({ host: 'sms.example.com', origin: 'https://evil.example' }, false)).toBe(false);
    expect(isSameOrigin({ host: 'sms.example.com', origin: 'https://sms.example.com.evil.example' }, false)).toBe(
      false,
    );
    expect(isSameOrigin({ host: 'sms.example.com', origin: 'null' }, false)).toBe(false);
  });

  it('should require an Origin on WebSocket upgrades but not on plain requests', () => {
    expect(isSameOrigin({ host: 'sms.example.com' }, true)).toBe(false);
    expect(isSameOrigin({ host: 'sms.example.com' }, false)).toBe(true);
  });

  it('should want the console header on anything but a read', () => {
    const host = { host: 'sms.example.com' };
    expect(isConsoleRequest('GET', host)).toBe(true);
    expect(isConsoleRequest('POST', host)).toBe(false);
    expect(isConsoleRequest('DELETE', host)).toBe(false);
    expect(isConsoleRequest('POST', { ...host, 'x-console-request': '1' })).toBe(true);
    expect(isConsoleRequest('POST', { ...host, 'x-console-request': '1', origin: 'https://evil.example' })).toBe(false);
    expect(isConsoleRequest('GET', { ...host, origin: 'https://evil.example' })).toBe(false);
  });
});
