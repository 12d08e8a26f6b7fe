import { AppConfig } from '../config/app-config.service';
import { loadEnvironment } from '../config/env.schema';
import type { AccountSettingsRow } from '../persistence/account-settings.repository';
import { parseSendWindow } from './send-window';
import { accountSendWindowDefaults, parseSendWindowDefaults, sendWindowFor } from './send-window-defaults';
import { SendWindowDefaultsService } from './send-window-defaults.service';

const service = parseSendWindowDefaults('08:00-21:00', 'US=09:00-20:00;DE=any');
const campaign = parseSendWindow('10:00-11:00');
const own = parseSendWindow('12:00-13:00');
const ownGb = parseSendWindow('14:00-15:00');

describe('send-window defaults', () => {
  describe('accountSendWindowDefaults', () => {
    it('should keep the service defaults for an account without settings', () => {
      expect(accountSendWindowDefaults(service, null)).toBe(service);
      expect(accountSendWindowDefaults(service, { byCountry: new Map() })).toBe(service);
    });

    it('should resolve campaign, then the account country, the service country, the account default, the service default', () => {
      const defaults = accountSendWindowDefaults(service, {
        fallback: own,
        byCountry: new Map([
          ['GB', ownGb],
          ['DE', parseSendWindow('07:00-08:00')],
          ['FR', null],
        ]),
      });
      expect(sendWindowFor('GB', campaign, defaults)).toEqual(campaign);
      expect(sendWindowFor('GB', null, defaults)).toEqual(ownGb);
      expect(sendWindowFor('DE', null, defaults)).toEqual(parseSendWindow('07:00-08:00'));
      expect(sendWindowFor('FR', null, defaults)).toBeNull();
      expect(sendWindowFor('US', null, defaults)).toEqual(parseSendWindow('09:00-20:00'));
      expect(sendWindowFor('IN', null, defaults)).toEqual(own);
    });

    it('should fall back to the service default when the account sets only countries', () => {
      const defaults = accountSendWindowDefaults(service, { byCountry: new Map([['GB', ownGb]]) });
      expect(sendWindowFor('IN', null, defaults)).toEqual(parseSendWindow('08:00-21:00'));
      expect(sendWindowFor('DE', null, defaults)).toBeNull();
      // The service's table is not changed for other accounts.
      expect(sendWindowFor('GB', null, service)).toEqual(parseSendWindow('08:00-21:00'));
    });
  });

  describe(SendWindowDefaultsService.name, () => {
    const sut = new SendWindowDefaultsService(
      new AppConfig(
        loadEnvironment({ SEND_WINDOW_DEFAULT: '08:00-21:00', SEND_WINDOW_COUNTRY_DEFAULTS: 'US=09:00-20:00' }),
      ),
    );
    const settings = (row: Partial<AccountSettingsRow>): AccountSettingsRow =>
      ({ sendWindowDefault: null, sendWindowCountries: [], ...row }) as AccountSettingsRow;

    it("should apply the account's settings over the service configuration", () => {
      const defaults = sut.fromSettings(
        settings({
          sendWindowDefault: '12:00-13:00 MON',
          sendWindowCountries: [
            { country: 'GB', window: '14:00-15:00' },
            { country: 'US', window: null },
          ],
        }),
      );
      expect(sendWindowFor('GB', null, defaults)).toEqual(ownGb);
      expect(sendWindowFor('US', null, defaults)).toBeNull();
      expect(sendWindowFor('IN', null, defaults)).toEqual(parseSendWindow('12:00-13:00 MON'));
    });

    it('should give the service configuration to an account without settings', () => {
      const defaults = sut.fromSettings(null);
      expect(sendWindowFor('US', null, defaults)).toEqual(parseSendWindow('09:00-20:00'));
      expect(sendWindowFor('GB', null, defaults)).toEqual(parseSendWindow('08:00-21:00'));
    });
  });
});
