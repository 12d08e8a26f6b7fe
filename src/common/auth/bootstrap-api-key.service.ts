import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AppConfig } from '../../config/app-config.service';
import { ApiKeyRepository } from '../../persistence/api-key.repository';
import { ApiKeyHasher } from './api-key-hasher';
import { ACCOUNT_SCOPES, Scope } from './scope.enum';

export const DEFAULT_ACCOUNT_NAME = 'default';
export const API_KEY_FILE = 'api-key';
export const ADMIN_API_KEY_FILE = 'admin-api-key';
/** API_KEY is taken at any length (the contract fixes none); a shorter one is warned about. */
export const MIN_STRONG_KEY_LENGTH = 16;

export interface BootstrapKey {
  /** Set only when the key was generated here (never for a key from the environment). */
  generatedKey?: string;
  keyFile?: string;
  accountId: string;
}

/** One of the two keys made at start: its variable, file, labels and scopes. */
interface BootstrapKeySpec {
  variable: 'API_KEY' | 'ADMIN_API_KEY';
  configured: string | undefined;
  fileName: string;
  configuredLabel: string;
  generatedLabel: string;
  scopes: readonly Scope[];
}

/**
 * The default account and its two keys, each from its variable when set, otherwise (never in
 * production) generated on first start and kept in DATA_DIR, so restarts keep the same key:
 * - the account key (API_KEY, DATA_DIR/api-key): every account scope on the default account;
 * - the admin key (ADMIN_API_KEY, DATA_DIR/admin-api-key): the `admin` scope only (accounts, keys,
 *   settings, audit log). In production without ADMIN_API_KEY there is no admin key.
 * Setting a variable revokes every generated key of its kind (and removes this instance's key
 * file): a key printed on a first start must not outlive the configured one.
 */
@Injectable()
export class BootstrapApiKeyService implements OnApplicationBootstrap {
  private readonly logger = new Logger(BootstrapApiKeyService.name);
  private result?: BootstrapKey;
  private adminResult?: BootstrapKey;

  constructor(
    private readonly config: AppConfig,
    private readonly keys: ApiKeyRepository,
    private readonly hasher: ApiKeyHasher,
  ) {}

  get bootstrapKey(): BootstrapKey | undefined {
    return this.result;
  }

  /** Undefined in production without ADMIN_API_KEY. */
  get adminKey(): BootstrapKey | undefined {
    return this.adminResult;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.result = await this.ensure({
      variable: 'API_KEY',
      configured: this.config.bootstrapApiKey,
      fileName: API_KEY_FILE,
      configuredLabel: 'bootstrap',
      generatedLabel: 'generated',
      scopes: ACCOUNT_SCOPES,
    });
    const adminKey = this.config.adminApiKey;
    if (adminKey || !this.config.isProduction) {
      this.adminResult = await this.ensure({
        variable: 'ADMIN_API_KEY',
        configured: adminKey,
        fileName: ADMIN_API_KEY_FILE,
        configuredLabel: 'admin',
        generatedLabel: 'admin-generated',
        scopes: [Scope.ADMIN],
      });
    }
  }

  private ensure(spec: BootstrapKeySpec): Promise<BootstrapKey> {
    const keyFile = path.join(this.config.dataDir, spec.fileName);
    return spec.configured
      ? this.useConfiguredKey(spec, spec.configured, keyFile)
      : this.useGeneratedKey(spec, keyFile);
  }

  private async useConfiguredKey(spec: BootstrapKeySpec, key: string, keyFile: string): Promise<BootstrapKey> {
    if (key.length < MIN_STRONG_KEY_LENGTH) {
      this.logger.warn(
        `${spec.variable} is ${key.length} characters long: a key that short can be guessed. Use at least ` +
          `${MIN_STRONG_KEY_LENGTH} random characters (openssl rand -hex 24)`,
      );
    }
    const accountId = await this.defaultAccountId(this.hasher.hash(key), spec.configuredLabel, spec.scopes);
    // The configured key replaces the previous configured one (rotation) and every generated one.
    await this.keys.replaceLabelledKey(accountId, this.hasher.hash(key), spec.configuredLabel, spec.scopes);
    const revoked = await this.keys.revokeLabelledKeys(accountId, spec.generatedLabel);
    const removedFile = existsSync(keyFile);
    rmSync(keyFile, { force: true });
    if (revoked > 0 || removedFile) {
      this.logger.warn(
        `${spec.variable} is set: revoked ${revoked} generated ${spec.variable === 'API_KEY' ? 'API' : 'admin'} key(s)` +
          (removedFile ? ` and removed ${keyFile}` : ''),
      );
    }
    this.logger.log(
      `Default account ready; ${spec.variable === 'API_KEY' ? 'API' : 'admin'} key from ${spec.variable}`,
    );
    return { accountId };
  }

  private async useGeneratedKey(spec: BootstrapKeySpec, keyFile: string): Promise<BootstrapKey> {
    let key = this.readKeyFile(keyFile);
    // A generated key revoked since (its variable was set meanwhile) is replaced, never revived.
    if (key && (await this.keys.isRevoked(this.hasher.hash(key)))) {
      key = undefined;
    }
    key ??= this.generate(keyFile);
    const keyHash = this.hasher.hash(key);
    const accountId = await this.defaultAccountId(keyHash, spec.generatedLabel, spec.scopes);
    // A generated key is only added, so instances with their own DATA_DIR on one database do not
    // lock each other out.
    await this.keys.addKey(accountId, keyHash, spec.generatedLabel, spec.scopes);
    this.logger.log(`Default account ready; ${spec.variable === 'API_KEY' ? 'API' : 'admin'} key from ${keyFile}`);
    return { accountId, generatedKey: key, keyFile };
  }

  private async defaultAccountId(keyHash: string, label: string, scopes: readonly Scope[]): Promise<string> {
    return (
      (await this.keys.findAccountIdByName(DEFAULT_ACCOUNT_NAME)) ??
      (await this.keys.createAccountWithKey(DEFAULT_ACCOUNT_NAME, keyHash, label, scopes)).accountId
    );
  }

  private readKeyFile(keyFile: string): string | undefined {
    if (!existsSync(keyFile)) {
      return undefined;
    }
    const stored = readFileSync(keyFile, 'utf8').trim();
    return stored.length >= MIN_STRONG_KEY_LENGTH ? stored : undefined;
  }

  private generate(keyFile: string): string {
    const key = this.hasher.generate();
    mkdirSync(path.dirname(keyFile), { recursive: true });
    writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
    return key;
  }
}
