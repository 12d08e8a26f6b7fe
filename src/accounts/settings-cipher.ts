import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 'v1';

/**
 * Seals secrets of account settings with AES-256-GCM (node:crypto; no library needed for one
 * authenticated cipher): `v1:` + base64(iv | tag | ciphertext). The account id is bound as
 * additional data, so a sealed value copied to another account's row does not open there.
 */
export class SettingsCipher {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) {
      throw new Error('SettingsCipher needs a 32-byte key');
    }
  }

  seal(plain: string, accountId: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(accountId, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64')}`;
  }

  /** Throws when the value was not sealed with this key for this account. */
  open(sealed: string, accountId: string): string {
    const [version, payload] = sealed.split(':', 2);
    if (version !== VERSION || !payload) {
      throw new Error('Not a sealed settings value');
    }
    const bytes = Buffer.from(payload, 'base64');
    const iv = bytes.subarray(0, IV_BYTES);
    const tag = bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(accountId, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }
}
