import path from 'node:path';
import { cachedLibphonenumberPatterns, installLibphonenumberPatternCache } from './libphonenumber-pattern-cache';
import { parseRecipientNumber } from './recipient-number-parser';

interface HelperModule {
  default: (text: string | undefined, pattern: string) => boolean;
}

// The library's own helper, as it is written in libphonenumber-js 1.13: a new RegExp on each call.
const uncached = (text: string | undefined, pattern: string): boolean =>
  new RegExp('^(?:' + pattern + ')$').test(text || '');

function helperModule(): HelperModule {
  const core = require.resolve('libphonenumber-js/core');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module object the library calls through
  return require(path.join(path.dirname(core), '..', 'build', 'helpers', 'matchesEntirely.js')) as HelperModule;
}

const NUMBERS = [
  '+14155550100',
  '+14152000001',
  '(212) 555-0199',
  '+447400123456',
  '07400 123456',
  '+442071234567',
  '+4915112345678',
  '+33612345678',
  '+919876543210',
  '+8613812345678',
  '+61412345678',
  '+5511987654321',
  '+12345',
  '+999123456789',
  '+1 800 555 0100',
  '+80012345678',
  '+447400123456 ext. 12',
  'not a number',
  '',
];

describe('libphonenumber pattern cache', () => {
  it('is installed by the number parser: one compiled pattern per metadata pattern, none new for a number parsed again', () => {
    for (const number of NUMBERS) {
      parseRecipientNumber(number, 'GB');
    }
    const kept = cachedLibphonenumberPatterns();
    expect(kept).toBeGreaterThan(0);
    for (const number of NUMBERS) {
      parseRecipientNumber(number, 'GB');
    }
    expect(cachedLibphonenumberPatterns()).toBe(kept);
  });

  it('says it is installed, in the library version this project pins', () => {
    expect(installLibphonenumberPatternCache()).toBe(true);
    expect(helperModule().default).not.toBe(uncached);
    expect(helperModule().default.length).toBe(2);
  });

  it('parses every number exactly as the library does without it', () => {
    const cached = NUMBERS.flatMap((n) => [
      parseRecipientNumber(n, 'US'),
      parseRecipientNumber(n, 'GB'),
      parseRecipientNumber(n),
    ]);
    const helper = helperModule();
    const installed = helper.default;
    helper.default = uncached;
    try {
      const plain = NUMBERS.flatMap((n) => [
        parseRecipientNumber(n, 'US'),
        parseRecipientNumber(n, 'GB'),
        parseRecipientNumber(n),
      ]);
      expect(cached).toEqual(plain);
      expect(cached.filter((r) => r.ok).length).toBeGreaterThan(10);
      expect(cached.filter((r) => !r.ok).length).toBeGreaterThan(10);
    } finally {
      helper.default = installed;
    }
  });
});
