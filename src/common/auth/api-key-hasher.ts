import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';

/** Hashing and generation of API keys, injectable so tests can assert exact values. */
@Injectable()
export class ApiKeyHasher {
  hash(key: string): string {
    return createHash('sha256').update(key, 'utf8').digest('hex');
  }

  /** Constant-time comparison of two hex digests. */
  matches(key: string, expectedHash: string): boolean {
    const actual = Buffer.from(this.hash(key), 'hex');
    const expected = Buffer.from(expectedHash, 'hex');
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }

  generate(): string {
    return `sk_${randomBytes(24).toString('base64url')}`;
  }
}
