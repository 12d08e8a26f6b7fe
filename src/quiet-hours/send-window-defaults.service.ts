import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.service';
import type { AccountSettingsRow } from '../persistence/account-settings.repository';
import { parseSendWindow, SendWindow } from './send-window';
import { AccountSendWindows, accountSendWindowDefaults, SendWindowDefaults } from './send-window-defaults';

/**
 * The send-window defaults of an account's campaigns: its own settings over the service's
 * SEND_WINDOW_*, from the settings sendBulk or quote read once per request (the batches then carry
 * their windows), so the dispatcher never reads settings.
 */
@Injectable()
export class SendWindowDefaultsService {
  private readonly service: SendWindowDefaults;

  constructor(config: AppConfig) {
    this.service = config.sendWindowDefaults;
  }

  /** The defaults from settings the caller has already read (null: the account has none of its own). */
  fromSettings(row: AccountSettingsRow | null): SendWindowDefaults {
    return accountSendWindowDefaults(this.service, accountSendWindowsOf(row));
  }
}

/** The stored settings as windows (they were checked when saved). */
export function accountSendWindowsOf(
  row: Pick<AccountSettingsRow, 'sendWindowDefault' | 'sendWindowCountries'> | null,
): AccountSendWindows | null {
  if (!row) {
    return null;
  }
  return {
    fallback: row.sendWindowDefault ? parseSendWindow(row.sendWindowDefault) : undefined,
    byCountry: new Map<string, SendWindow | null>(
      row.sendWindowCountries.map((c) => [c.country, c.window ? parseSendWindow(c.window) : null]),
    ),
  };
}
