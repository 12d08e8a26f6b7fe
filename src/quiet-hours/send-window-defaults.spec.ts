import { strictMock } from '../../test/factories/dispatch.factory';
import { AppConfig } from '../config/app-config.service';
import { loadEnvironment } from '../config/env.schema';
import { AccountSettingsRepository, AccountSettingsRow } from '../persistence/account-settings.repository';
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
    function setup(row: Partial<AccountSettingsRow> | null) {
      const settings = strictMock<AccountSettingsRepository>();
      settings.find.mockResolvedValue(
        row && ({ sendWindowDefault: null, sendWindowCountries: [], ...row } as AccountSettingsRow),
      );
      const config = new AppConfig(
        loadEnvironment({ SEND_WINDOW_DEFAULT: '08:00-21:00', SEND_WINDOW_COUNTRY_DEFAULTS: 'US=09:00-20:00' }),
      );
      return { sut: new SendWindowDefaultsService(settings, config), settings };
    }

    it('should read the account settings once and apply them over the service configuration', async () => {
      const { sut, settings } = setup({
        sendWindowDefault: '12:00-13:00 MON',
        sendWindowCountries: [
          { country: 'GB', window: '14:00-15:00' },
          { country: 'US', window: null },
        ],
      });
      const defaults = await sut.forAccount('a1');
      expect(settings.find).toHaveBeenCalledTimes(1);
      expect(settings.find).toHaveBeenCalledWith('a1');
      expect(sendWindowFor('GB', null, defaults)).toEqual(ownGb);
      expect(sendWindowFor('US', null, defaults)).toBeNull();
      expect(sendWindowFor('IN', null, defaults)).toEqual(parseSendWindow('12:00-13:00 MON'));
    });

    it('should give the service configuration to an account without settings', async () => {
      const { sut } = setup(null);
      const defaults = await sut.forAccount('a1');
      expect(sendWindowFor('US', null, defaults)).toEqual(parseSendWindow('09:00-20:00'));
      expect(sendWindowFor('GB', null, defaults)).toEqual(parseSendWindow('08:00-21:00'));
    });
  });
});
