import { Worker } from 'node:worker_threads';
import { startSourceWorker } from '../common/async/source-worker';
import {
  RecipientRejection,
  isSupportedCountry,
  shortenRejectedInput,
  validateRecipients,
} from './recipient-validator';

// Runs the TypeScript worker through @swc/core (a dev dependency) so the worker path is tested from sources.
const createTsWorker = (): Worker => startSourceWorker(__dirname, 'recipient-validation-worker');

/** n distinct valid numbers (n ≤ 500,000) across 5 countries, a third of them spaced. */
function numbers(n: number): string[] {
  // Prefixes of libphonenumber's example mobile numbers, each followed by 5 varying digits.
  const prefixes = ['+120155', '+4474001', '+49151234', '+336123', '+9181234'];
  return Array.from({ length: n }, (_, i) => {
    const e164 = prefixes[i % prefixes.length] + String(Math.floor(i / prefixes.length)).padStart(5, '0');
    return i % 3 === 0 ? `${e164.slice(0, 3)} ${e164.slice(3, 6)} ${e164.slice(6)}` : e164;
  });
}

describe('validateRecipients', () => {
  it('should accept E.164 numbers and report their country', async () => {
    const result = await validateRecipients(['+14155550101', '+447400123456']);

    expect(result.valid).toEqual({ phones: ['+14155550101', '+447400123456'], countries: ['US', 'GB'] });
    expect(result.rejected).toEqual([]);
  });

  it('should normalise national and formatted numbers with defaultCountry', async () => {
    const result = await validateRecipients(['(415) 555-0101', '+44 (0)7400 123456', '06 12 34 56 78'], {
      defaultCountry: 'US',
    });

    expect(result.valid.phones).toEqual(['+14155550101', '+447400123456']);
    expect(result.rejected).toEqual([{ input: '06 12 34 56 78', reason: RecipientRejection.INVALID }]);
  });

  it('should use a lower-case defaultCountry', async () => {
    const result = await validateRecipients(['06 12 34 56 78'], { defaultCountry: 'fr' });
    expect(result.valid).toEqual({ phones: ['+33612345678'], countries: ['FR'] });
  });

  it('should reject a national number without defaultCountry', async () => {
    const result = await validateRecipients(['(415) 555-0101']);
    expect(result.rejected).toEqual([{ input: '(415) 555-0101', reason: 'missing country code (set defaultCountry)' }]);
  });

  it.each([
    ['+1 555 0100', RecipientRejection.INVALID],
    ['+12015550', RecipientRejection.INVALID],
    ['abc', RecipientRejection.INVALID],
    ['1-800-FLOWERS', RecipientRejection.INVALID],
    ['+1 415 555 0101 call me', RecipientRejection.INVALID],
    ['+999 1234567', RecipientRejection.UNKNOWN_CALLING_CODE],
    ['+1415555010112345678', RecipientRejection.TOO_LONG],
    ['+1'.padEnd(300, '5'), RecipientRejection.TOO_LONG],
    ['+1', RecipientRejection.TOO_SHORT],
    ['+1 415 555 0101 ext. 12', RecipientRejection.EXTENSION],
    ['+800 1234 5678', RecipientRejection.NON_GEOGRAPHIC],
    ['', RecipientRejection.EMPTY],
    ['   \t ', RecipientRejection.EMPTY],
  ])('should reject %p: %s', async (input, reason) => {
    const result = await validateRecipients([input], { defaultCountry: 'US' });
    expect(result).toEqual({
      valid: { phones: [], countries: [] },
      rejected: [{ input: shortenRejectedInput(input), reason }],
      perCountry: new Map(),
    });
  });

  it('should report a long rejected input cut to 64 characters', async () => {
    const long = `nope-${'x'.repeat(1000)}`;
    const { rejected } = await validateRecipients([long, '+12015550123', `+1 201 555 0123 ${'y'.repeat(100)}`]);

    expect(rejected.map((r) => r.input)).toEqual([
      `${long.slice(0, 64)}…`,
      expect.stringMatching(/^\+1 201 555 0123 y+…$/),
    ]);
    rejected.forEach((r) => expect(r.input).toHaveLength(65));
  });

  it('should trim surrounding whitespace', async () => {
    const result = await validateRecipients(['  +14155550101\n'], {});
    expect(result.valid).toEqual({ phones: ['+14155550101'], countries: ['US'] });
  });

  it('should reject the second and later occurrences of a number, whatever its format', async () => {
    const result = await validateRecipients(['+14155550101', '(415) 555-0101', '+1 415-555-0101', '+14155550102'], {
      defaultCountry: 'US',
    });

    expect(result.valid.phones).toEqual(['+14155550101', '+14155550102']);
    expect(result.rejected).toEqual([
      { input: '(415) 555-0101', reason: 'duplicate' },
      { input: '+1 415-555-0101', reason: 'duplicate' },
    ]);
  });

  it('should keep input order and count valid recipients per country', async () => {
    const inputs = ['+447400123456', '+14155550101', 'junk', '+447400123457', '+33612345678', '+447400123456'];
    const result = await validateRecipients(inputs);

    expect(result.valid.phones).toEqual(['+447400123456', '+14155550101', '+447400123457', '+33612345678']);
    expect([...result.perCountry]).toEqual([
      ['GB', 2],
      ['US', 1],
      ['FR', 1],
    ]);
    expect(result.rejected.map((r) => r.input)).toEqual(['junk', '+447400123456']);
  });

  it('should tell Canadian from US numbers sharing +1', async () => {
    const result = await validateRecipients(['+16135550123', '+12015550123']);
    expect(result.valid.countries).toEqual(['CA', 'US']);
  });

  it('should refuse an unsupported defaultCountry', async () => {
    await expect(validateRecipients(['1'], { defaultCountry: 'XX' })).rejects.toThrow(/defaultCountry/);
  });

  it('should yield to the event loop while validating 50,000 numbers', async () => {
    const inputs = numbers(50_000);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    let immediates = 0;
    const spin = (): void => {
      immediates++;
      if (!done) {
        setImmediate(spin);
      }
    };
    let done = false;
    setImmediate(spin);

    const result = await validateRecipients(inputs, { parallelFrom: Infinity });
    done = true;
    clearInterval(timer);

    expect(result.valid.phones).toHaveLength(50_000);
    expect(result.valid.countries).toHaveLength(50_000);
    // Roughly one yield per 5 ms slice: at a few hundred ms of work, dozens of timer and immediate callbacks ran.
    expect(ticks).toBeGreaterThan(20);
    expect(immediates).toBeGreaterThan(20);
  }, 30_000);

  describe('on worker threads', () => {
    it('should give exactly the in-thread result, in order, with duplicates across chunks', async () => {
      const base = numbers(20_000);
      const inputs = [...base, 'junk', '', base[3], base[12_345], '(201) 555-0000'];
      const inThread = await validateRecipients(inputs, { defaultCountry: 'US', parallelFrom: Infinity });
      const parallel = await validateRecipients(inputs, {
        defaultCountry: 'US',
        parallelFrom: 0,
        createWorker: createTsWorker,
      });

      expect(parallel).toEqual(inThread);
      expect(inThread.rejected.map((r) => r.reason)).toEqual([
        'not a valid phone number',
        'empty',
        'duplicate',
        'duplicate',
      ]);
      expect(inThread.valid.phones).toHaveLength(20_001);
    }, 30_000);

    it('should fail when a worker dies', async () => {
      const broken = (): Worker => new Worker('process.exit(3)', { eval: true });
      await expect(validateRecipients(numbers(100), { parallelFrom: 0, createWorker: broken })).rejects.toThrow(
        /exited with code 3/,
      );
    });
  });
});

describe('isSupportedCountry', () => {
  it.each([
    ['US', true],
    ['gb', true],
    ['XK', true],
    ['XX', false],
    ['USA', false],
    ['', false],
  ])('should say %p is %p', (country, supported) => {
    expect(isSupportedCountry(country)).toBe(supported);
  });
});

describe('shortenRejectedInput', () => {
  it('should keep an input of 64 characters as it is', () => {
    expect(shortenRejectedInput('1'.repeat(64))).toBe('1'.repeat(64));
  });

  it('should never keep half of a surrogate pair', () => {
    const input = `${'a'.repeat(63)}😀${'b'.repeat(10)}`;

    expect(shortenRejectedInput(input)).toBe(`${'a'.repeat(63)}…`);
  });

  it('should keep text the database can store: NUL characters and lone surrogates become U+FFFD', () => {
    expect(shortenRejectedInput('+1415\u0000555\ud800')).toBe('+1415\uFFFD555\uFFFD');
    expect(shortenRejectedInput(`\udc00${'c'.repeat(70)}`)).toBe(`\uFFFD${'c'.repeat(63)}…`);
  });
});
