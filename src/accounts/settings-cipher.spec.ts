import { randomBytes } from 'node:crypto';
import { SettingsCipher } from './settings-cipher';

describe(SettingsCipher.name, () => {
  const key = randomBytes(32);
  const sut = new SettingsCipher(key);

  it('should seal a secret so that it opens with the same key for the same account only', () => {
    const sealed = sut.seal('plivo-auth-token-123', 'account-a');
    expect(sealed).toMatch(/^v1:[A-Za-z0-9+/]+=*$/);
    expect(sealed).not.toContain('plivo-auth-token-123');
    expect(sut.open(sealed, 'account-a')).toBe('plivo-auth-token-123');
    expect(() => sut.open(sealed, 'account-b')).toThrow();
    expect(() => new SettingsCipher(randomBytes(32)).open(sealed, 'account-a')).toThrow();
  });

  it('should use a fresh IV for every seal', () => {
    expect(sut.seal('same', 'a')).not.toBe(sut.seal('same', 'a'));
  });

  it('should refuse a tampered value and a key of the wrong size', () => {
    const sealed = sut.seal('secret', 'a');
    const bytes = Buffer.from(sealed.slice(3), 'base64');
    bytes[bytes.length - 1] ^= 1;
    expect(() => sut.open(`v1:${bytes.toString('base64')}`, 'a')).toThrow();
    expect(() => sut.open('plain text', 'a')).toThrow('Not a sealed settings value');
    expect(() => new SettingsCipher(randomBytes(16))).toThrow('32-byte key');
  });
});
