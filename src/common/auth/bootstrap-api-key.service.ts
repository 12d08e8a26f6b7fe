import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
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
    const key = configured ?? this.readOrGenerate(keyFile);
    const keyHash = this.hasher.hash(key);
    const existingAccount = await this.keys.findAccountIdByName(DEFAULT_ACCOUNT_NAME);
    const accountId =
      existingAccount ??
      (
        await this.keys.createAccountWithKey(
          DEFAULT_ACCOUNT_NAME,
          keyHash,
          configured ? BOOTSTRAP_LABEL : GENERATED_LABEL,
        )
      ).accountId;
    // A configured key replaces the previous configured one (rotation); a generated key is only
    // added, so instances with their own DATA_DIR on one database do not lock each other out.
    if (configured) {
      await this.keys.replaceLabelledKey(accountId, keyHash, BOOTSTRAP_LABEL);
    } else {
      await this.keys.addKey(accountId, keyHash, GENERATED_LABEL);
    }
    this.result = configured ? { accountId } : { accountId, generatedKey: key, keyFile };
    this.logger.log(`Default account ready; API key from ${configured ? 'API_KEY' : keyFile}`);
  }

  private readOrGenerate(keyFile: string): string {
    if (existsSync(keyFile)) {
      const stored = readFileSync(keyFile, 'utf8').trim();
      if (stored.length >= 16) {
        return stored;
      }
    }
    const key = this.hasher.generate();
    mkdirSync(path.dirname(keyFile), { recursive: true });
    writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
    return key;
  }
}
