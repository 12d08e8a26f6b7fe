import path from 'node:path';

type MatchesEntirely = (text: string | undefined, pattern: string) => boolean;

interface MatchesEntirelyModule {
  default: MatchesEntirely;
}

/**
 * libphonenumber-js (1.13) checks a number against its metadata with `helpers/matchesEntirely`, which builds
 * `new RegExp('^(?:' + pattern + ')$')` on every call: a few times per number, each time hashing a pattern
 * of up to several kilobytes to find V8's cached compilation. That was 45 % of a validation worker's time.
 * Google's Java and C# ports keep their compiled patterns; this gives libphonenumber-js the same, one
 * RegExp per metadata pattern (a few thousand at most, every one from the metadata, never from input).
 *
 * The library's modules call the helper through its exports object at each call (Babel's CommonJS
 * interop), so replacing the export is enough. Measured on one thread, 300,000 numbers: 3.2–3.5 s → 1.5–1.7 s.
 */
const patterns = new Map<string, RegExp>();
let installed: boolean | undefined;

function matchesEntirely(text: string | undefined, pattern: string): boolean {
  let regExp = patterns.get(pattern);
  if (regExp === undefined) {
    regExp = new RegExp(`^(?:${pattern})$`);
    patterns.set(pattern, regExp);
  }
  // The patterns have no global or sticky flag: test() keeps no state between calls.
  return regExp.test(text || '');
}

/**
 * Installs the cache in this thread (each worker thread has its own modules) and says whether it did:
 * false when the library's layout has changed, and then it works as it did, uncached.
 */
export function installLibphonenumberPatternCache(): boolean {
  if (installed !== undefined) {
    return installed;
  }
  installed = false;
  try {
    // The helper is not among the package's exports: reached by its file, the one the library itself loads.
    const core = require.resolve('libphonenumber-js/core');
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the very module object the library loaded
    const helper = require(path.join(path.dirname(core), '..', 'build', 'helpers', 'matchesEntirely.js')) as
      Partial<MatchesEntirelyModule> | undefined;
    if (helper && typeof helper.default === 'function' && helper.default.length === 2) {
      helper.default = matchesEntirely;
      installed = true;
    }
  } catch {
    // Not found: the library is used as it is.
  }
  return installed;
}

/** How many compiled patterns the cache holds (for tests). */
export function cachedLibphonenumberPatterns(): number {
  return patterns.size;
}
