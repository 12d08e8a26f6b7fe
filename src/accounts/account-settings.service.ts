import { Injectable } from '@nestjs/common';
import { NotFoundError, UserInputError } from '../common/errors/domain-error';
import { AppConfig } from '../config/app-config.service';
import { AccountRepository } from '../persistence/account.repository';
import { toSendWindow, toSendWindowModel } from '../quiet-hours/dto/send-window-input.mapper';
import { formatSendWindow, parseSendWindow } from '../quiet-hours/send-window';
import {
  AccountSettingsChange,
  AccountSettingsRepository,
  AccountSettingsRow,
} from '../persistence/account-settings.repository';
import { UpdateAccountSettingsInput } from './dto/update-account-settings.input';
import { AccountSettings } from './models/account-settings.model';
import { SettingsCipher } from './settings-cipher';

/**
 * Per-account settings; the Plivo auth token is sealed before it is stored and never shown (it is
 * opened only to send: messaging/account-sms-gateways.ts).
 */
@Injectable()
export class AccountSettingsService {
  private readonly cipher?: SettingsCipher;

  constructor(
    private readonly settings: AccountSettingsRepository,
    private readonly accounts: AccountRepository,
    config: AppConfig,
  ) {
    const key = config.settingsEncryptionKey;
    this.cipher = key ? new SettingsCipher(key) : undefined;
  }

  async get(accountId: string): Promise<AccountSettings> {
    if (!(await this.accounts.findAccount(accountId))) {
      throw new NotFoundError('Account');
    }
    return toView(accountId, await this.settings.find(accountId));
  }

  async update(accountId: string, input: UpdateAccountSettingsInput): Promise<AccountSettings> {
    if (!(await this.accounts.findAccount(accountId))) {
      throw new UserInputError('accountId', 'no account with this id');
    }
    const current = await this.settings.find(accountId);
    const change: AccountSettingsChange = {};
    if (input.plivoAuthId !== undefined) {
      change.plivoAuthId = input.plivoAuthId;
    }
    if (input.plivoAuthToken !== undefined) {
      change.plivoAuthTokenEncrypted =
        input.plivoAuthToken === null ? null : this.seal(input.plivoAuthToken, accountId);
    }
    const authId = change.plivoAuthId !== undefined ? change.plivoAuthId : (current?.plivoAuthId ?? null);
    const token =
      change.plivoAuthTokenEncrypted !== undefined
        ? change.plivoAuthTokenEncrypted
        : (current?.plivoAuthTokenEncrypted ?? null);
    if ((authId === null) !== (token === null)) {
      throw new UserInputError(
        authId === null ? 'plivoAuthId' : 'plivoAuthToken',
        'plivoAuthId and plivoAuthToken are set together (or both cleared with null)',
      );
    }
    if (input.senderIds !== undefined) {
      change.senderIds = input.senderIds ?? [];
    }
    if (input.mps !== undefined) {
      change.mps = input.mps;
    }
    if (input.defaultCountry !== undefined) {
      change.defaultCountry = input.defaultCountry;
    }
    Object.assign(change, sendWindowChange(input), brakeChange(input, current));
    return toView(accountId, await this.settings.update(accountId, change));
  }

  private seal(token: string, accountId: string): string {
    if (!this.cipher) {
      throw new UserInputError(
        'plivoAuthToken',
        'the server has no SETTINGS_ENCRYPTION_KEY, so it cannot store secrets (set it, e.g. openssl rand -base64 32)',
      );
    }
    return this.cipher.seal(token, accountId);
  }
}

/** The send-window fields given, in their stored form; BAD_USER_INPUT naming the field otherwise. */
function sendWindowChange(input: UpdateAccountSettingsInput): AccountSettingsChange {
  const change: AccountSettingsChange = {};
  if (input.sendWindowDefault !== undefined) {
    const window = toSendWindow(input.sendWindowDefault, 'sendWindowDefault');
    change.sendWindowDefault = window ? formatSendWindow(window) : null;
  }
  if (input.sendWindowCountries !== undefined) {
    const seen = new Set<string>();
    change.sendWindowCountries = (input.sendWindowCountries ?? []).map((entry, i) => {
      if (seen.has(entry.country)) {
        throw new UserInputError('sendWindowCountries', `sendWindowCountries: ${entry.country} is listed twice`);
      }
      seen.add(entry.country);
      const window = toSendWindow(entry.window, `sendWindowCountries.${i}.window`);
      return { country: entry.country, window: window ? formatSendWindow(window) : null };
    });
  }
  return change;
}

/** The brake thresholds given; a minimum above the account's window is refused rather than lowered. */
function brakeChange(input: UpdateAccountSettingsInput, current: AccountSettingsRow | null): AccountSettingsChange {
  const change: AccountSettingsChange = {};
  for (const field of ['brakeWindowReports', 'brakeMinReports', 'brakeFailureRate', 'brakeOptOutRate'] as const) {
    if (input[field] !== undefined) {
      change[field] = input[field];
    }
  }
  const windowReports =
    change.brakeWindowReports !== undefined ? change.brakeWindowReports : (current?.brakeWindowReports ?? null);
  const minReports = change.brakeMinReports !== undefined ? change.brakeMinReports : (current?.brakeMinReports ?? null);
  if (windowReports !== null && minReports !== null && minReports > windowReports) {
    throw new UserInputError(
      input.brakeMinReports !== undefined ? 'brakeMinReports' : 'brakeWindowReports',
      `brakeMinReports (${minReports}) must not exceed brakeWindowReports (${windowReports})`,
    );
  }
  return change;
}

function toView(accountId: string, row: AccountSettingsRow | null): AccountSettings {
  return {
    accountId,
    plivoAuthId: row?.plivoAuthId ?? null,
    plivoAuthTokenSet: Boolean(row?.plivoAuthTokenEncrypted),
    senderIds: row?.senderIds ?? [],
    mps: row?.mps ?? null,
    defaultCountry: row?.defaultCountry ?? null,
    sendWindowDefault: row?.sendWindowDefault ? toSendWindowModel(parseSendWindow(row.sendWindowDefault)) : null,
    sendWindowCountries: (row?.sendWindowCountries ?? []).map((c) => ({
      country: c.country,
      window: c.window ? toSendWindowModel(parseSendWindow(c.window)) : null,
    })),
    brakeWindowReports: row?.brakeWindowReports ?? null,
    brakeMinReports: row?.brakeMinReports ?? null,
    brakeFailureRate: row?.brakeFailureRate ?? null,
    brakeOptOutRate: row?.brakeOptOutRate ?? null,
    updatedAt: row?.updatedAt ?? null,
  };
}
