import { Injectable } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { DomainError } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-code.enum';
import { AppConfig } from '../config/app-config.service';

/**
 * The keyed hash that replaces an erased number: HMAC-SHA256 under ERASURE_HASH_KEY. Keyed, so the
 * hashes of a small number space (phone numbers) cannot be reversed by hashing every number; stable,
 * so the same number is recognised as suppressed again.
 */
@Injectable()
export class RecipientHasher {
  private readonly key: string | undefined;

  constructor(config: AppConfig) {
    this.key = config.consent.erasureHashKey;
  }

  get configured(): boolean {
    return this.key !== undefined;
  }

  hash(phone: string): string {
    if (this.key === undefined) {
      throw new DomainError(
        ErrorCode.SERVICE_UNAVAILABLE,
        'erasure is not configured on this server: set ERASURE_HASH_KEY (at least 32 characters)',
      );
    }
    return createHmac('sha256', this.key).update(phone).digest('hex');
  }
}
