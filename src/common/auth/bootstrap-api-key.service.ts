import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AppConfig } from '../../config/app-config.service';
import { ApiKeyRepository } from '../../persistence/api-key.repository';
import { ApiKeyHasher } from './api-key-hasher';

export const DEFAULT_ACCOUNT_NAME = 'default';
const BOOTSTRAP_LABEL = 'bootstrap';
const GENERATED_LABEL = 'generated';

export interface BootstrapKey {
  /** Set only when the key was generated here (never for a key from API_KEY). */
  generatedKey?: string;
  keyFile?: string;
  accountId: string;
}

/**
 * The default account and its key: API_KEY when set; otherwise (never in production) a key
 * generated on first start and kept in DATA_DIR/api-key, so restarts keep the same key.
 * Setting API_KEY revokes every generated key of the default account (and removes this
 * instance's key file): a key printed on a first start must not outlive the configured one.
 */
@Injectable()
export class BootstrapApiKeyService implements OnApplicationBootstrap {
  private readonly logger = new Logger(BootstrapApiKeyService.name);
  private result?: BootstrapKey;

  constructor(
    private readonly config: AppConfig,
    private readonly keys: ApiKeyRepository,
    private readonly hasher: ApiKeyHasher,
  ) {}

  get bootstrapKey(): BootstrapKey | undefined {
    return this.result;
  }

  async onApplicationBootstrap(): Promise<void> {
    const configured = this.config.bootstrapApiKey;
    const keyFile = path.join(this.config.dataDir, 'api-key');
    this.result = configured ? await this.useConfiguredKey(configured, keyFile) : await this.useGeneratedKey(keyFile);
  }

  private async useConfiguredKey(key: string, keyFile: string): Promise<BootstrapKey> {
    const accountId = await this.defaultAccountId(this.hasher.hash(key), BOOTSTRAP_LABEL);
    // The configured key replaces the previous configured one (rotation) and every generated one.
    await this.keys.replaceLabelledKey(accountId, this.hasher.hash(key), BOOTSTRAP_LABEL);
    const revoked = await this.keys.revokeLabelledKeys(accountId, GENERATED_LABEL);
    const removedFile = existsSync(keyFile);
    rmSync(keyFile, { force: true });
    if (revoked > 0 || removedFile) {
      this.logger.warn(
        `API_KEY is set: revoked ${revoked} generated API key(s) of the default account` +
          (removedFile ? ` and removed ${keyFile}` : ''),
      );
    }
    this.logger.log('Default account ready; API key from API_KEY');
    return { accountId };
  }

  private async useGeneratedKey(keyFile: string): Promise<BootstrapKey> {
    let key = this.readKeyFile(keyFile);
    // A generated key revoked since (API_KEY was set meanwhile) is replaced, never revived.
    if (key && (await this.keys.isRevoked(this.hasher.hash(key)))) {
      key = undefined;
    }
    key ??= this.generate(keyFile);
    const keyHash = this.hasher.hash(key);
    const accountId = await this.defaultAccountId(keyHash, GENERATED_LABEL);
    // A generated key is only added, so instances with their own DATA_DIR on one database do not
    // lock each other out.
    await this.keys.addKey(accountId, keyHash, GENERATED_LABEL);
    this.logger.log(`Default account ready; API key from ${keyFile}`);
    return { accountId, generatedKey: key, keyFile };
  }

  private async defaultAccountId(keyHash: string, label: string): Promise<string> {
    return (
      (await this.keys.findAccountIdByName(DEFAULT_ACCOUNT_NAME)) ??
      (await this.keys.createAccountWithKey(DEFAULT_ACCOUNT_NAME, keyHash, label)).accountId
    );
  }

  private readKeyFile(keyFile: string): string | undefined {
    if (!existsSync(keyFile)) {
      return undefined;
    }
    const stored = readFileSync(keyFile, 'utf8').trim();
    return stored.length >= 16 ? stored : undefined;
  }

  private generate(keyFile: string): string {
    const key = this.hasher.generate();
    mkdirSync(path.dirname(keyFile), { recursive: true });
    writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
    return key;
  }
}
