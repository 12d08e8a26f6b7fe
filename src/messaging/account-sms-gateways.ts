import { Injectable } from '@nestjs/common';
import { SettingsCipher } from '../accounts/settings-cipher';
import { AppConfig } from '../config/app-config.service';
import { AccountPlivoCredentials } from '../persistence/account-settings.repository';
import { SmsGateway } from '../sms-gateway/sms-gateway';
import { SmsGatewayError } from '../sms-gateway/sms-gateway.error';
import { SmsGatewayFactory } from '../sms-gateway/sms-gateway-factory';

interface CachedGateway {
  authId: string;
  sealedToken: string;
  gateway: SmsGateway;
}

/**
 * The gateway an account's messages go through: its own Plivo sub-account's when its settings hold
 * credentials, else the service's. One SDK client per account, kept while the stored credentials
 * are the ones it was built from: the caller passes them as read with the work (the claimed
 * batch, the poll pass), so a change made on any instance is picked up by the next use, with no
 * extra query. A token is sealed with a fresh IV each time it is set, so re-setting the same
 * token also builds a new client.
 */
@Injectable()
export class AccountSmsGateways {
  private readonly cipher?: SettingsCipher;
  private readonly clients = new Map<string, CachedGateway>();

  constructor(
    private readonly serviceGateway: SmsGateway,
    private readonly factory: SmsGatewayFactory,
    config: AppConfig,
  ) {
    const key = config.settingsEncryptionKey;
    this.cipher = key ? new SettingsCipher(key) : undefined;
  }

  /**
   * Throws `SmsGatewayError` kind `pause` when the account has credentials this server cannot open
   * (no or another SETTINGS_ENCRYPTION_KEY): its messages must not go out through the service's
   * account instead.
   */
  forAccount(credentials: (Partial<AccountPlivoCredentials> & { accountId: string }) | undefined): SmsGateway {
    if (!credentials) {
      return this.serviceGateway;
    }
    const { accountId, plivoAuthId, plivoAuthTokenEncrypted } = credentials;
    if (!plivoAuthId || !plivoAuthTokenEncrypted) {
      this.clients.delete(accountId);
      return this.serviceGateway;
    }
    const cached = this.clients.get(accountId);
    if (cached && cached.authId === plivoAuthId && cached.sealedToken === plivoAuthTokenEncrypted) {
      return cached.gateway;
    }
    const gateway = this.factory.forCredentials(plivoAuthId, this.open(plivoAuthTokenEncrypted, accountId));
    this.clients.set(accountId, { authId: plivoAuthId, sealedToken: plivoAuthTokenEncrypted, gateway });
    return gateway;
  }

  private open(sealed: string, accountId: string): string {
    if (!this.cipher) {
      throw new SmsGatewayError(
        'pause',
        "The account's Plivo auth token cannot be opened: the server has no SETTINGS_ENCRYPTION_KEY",
      );
    }
    try {
      return this.cipher.open(sealed, accountId);
    } catch (error) {
      throw new SmsGatewayError(
        'pause',
        "The account's Plivo auth token cannot be opened: it was sealed with another SETTINGS_ENCRYPTION_KEY",
        { cause: error },
      );
    }
  }
}
