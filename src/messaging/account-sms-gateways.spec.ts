import { randomBytes } from 'node:crypto';
import { strictMock } from '../../test/factories/dispatch.factory';
import { SettingsCipher } from '../accounts/settings-cipher';
import { AppConfig } from '../config/app-config.service';
import { loadEnvironment } from '../config/env.schema';
import { SmsGateway } from '../sms-gateway/sms-gateway';
import { SmsGatewayError } from '../sms-gateway/sms-gateway.error';
import { SmsGatewayFactory } from '../sms-gateway/sms-gateway-factory';
import { AccountSmsGateways } from './account-sms-gateways';

const KEY = randomBytes(32);
const cipher = new SettingsCipher(KEY);

function setup(key: Buffer | null = KEY) {
  const config = new AppConfig(loadEnvironment(key ? { SETTINGS_ENCRYPTION_KEY: key.toString('base64') } : {}));
  const service = strictMock<SmsGateway>();
  const factory = strictMock<SmsGatewayFactory>();
  const built: Array<[string, string]> = [];
  factory.forCredentials.mockImplementation((authId, authToken) => {
    built.push([authId, authToken]);
    return strictMock<SmsGateway>();
  });
  return { sut: new AccountSmsGateways(service, factory, config), service, built };
}

describe(AccountSmsGateways.name, () => {
  describe('forAccount', () => {
    it("should use the service's gateway for an account without credentials", () => {
      const { sut, service, built } = setup();
      expect(sut.forAccount(undefined)).toBe(service);
      expect(sut.forAccount({ accountId: 'a1', plivoAuthId: null, plivoAuthTokenEncrypted: null })).toBe(service);
      expect(built).toEqual([]);
    });

    it('should build one client per account with its opened token, and keep it while the credentials are the same', () => {
      const { sut, built } = setup();
      const credentials = {
        accountId: 'a1',
        plivoAuthId: 'SA1',
        plivoAuthTokenEncrypted: cipher.seal('token-1', 'a1'),
      };
      const first = sut.forAccount(credentials);
      expect(sut.forAccount({ ...credentials })).toBe(first);
      expect(built).toEqual([['SA1', 'token-1']]);
    });

    it('should build a new client when the stored credentials changed (on any instance)', () => {
      const { sut, built } = setup();
      const first = sut.forAccount({
        accountId: 'a1',
        plivoAuthId: 'SA1',
        plivoAuthTokenEncrypted: cipher.seal('token-1', 'a1'),
      });
      const resealed = sut.forAccount({
        accountId: 'a1',
        plivoAuthId: 'SA1',
        plivoAuthTokenEncrypted: cipher.seal('token-2', 'a1'),
      });
      const otherId = sut.forAccount({
        accountId: 'a1',
        plivoAuthId: 'SA2',
        plivoAuthTokenEncrypted: cipher.seal('token-2', 'a1'),
      });
      expect(new Set([first, resealed, otherId]).size).toBe(3);
      expect(built).toEqual([
        ['SA1', 'token-1'],
        ['SA1', 'token-2'],
        ['SA2', 'token-2'],
      ]);
    });

    it('should refuse with a pause, never fall back to the service, when the token cannot be opened', () => {
      const sealed = cipher.seal('token-1', 'a1');
      const noKey = setup(null).sut;
      const otherKey = setup(randomBytes(32)).sut;
      const otherAccount = setup().sut;
      for (const [sut, credentials] of [
        [noKey, { accountId: 'a1', plivoAuthId: 'SA1', plivoAuthTokenEncrypted: sealed }],
        [otherKey, { accountId: 'a1', plivoAuthId: 'SA1', plivoAuthTokenEncrypted: sealed }],
        // Sealed for a1: it does not open as a2's.
        [otherAccount, { accountId: 'a2', plivoAuthId: 'SA1', plivoAuthTokenEncrypted: sealed }],
      ] as const) {
        let thrown: unknown;
        try {
          sut.forAccount(credentials);
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(SmsGatewayError);
        expect((thrown as SmsGatewayError).kind).toBe('pause');
        expect((thrown as SmsGatewayError).message).toMatch(/SETTINGS_ENCRYPTION_KEY/);
      }
    });
  });
});
