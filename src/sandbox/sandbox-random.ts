/** Small, fast, seedable PRNG (mulberry32) so fault and outcome decisions are reproducible. */
export type Random = () => number;

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over the seed and parts: a per-message stream independent of arrival order. */
export function randomFor(seed: number, ...parts: Array<string | number>): Random {
  let hash = 0x811c9dc5 ^ (seed >>> 0);
  for (const part of parts) {
    const text = String(part);
    for (let i = 0; i < text.length; i++) {
      hash ^= text.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193);
    }
    hash ^= 0x2f;
    hash = Math.imul(hash, 0x01000193);
  }
  return createRandom(hash >>> 0);
}

/** Picks a key by weight; weights need not sum to 1. */
export function pickWeighted<K extends string>(random: Random, weights: ReadonlyArray<readonly [K, number]>): K {
  const total = weights.reduce((sum, [, weight]) => sum + weight, 0);
  let draw = random() * total;
  for (const [key, weight] of weights) {
    draw -= weight;
    if (draw < 0) {
      return key;
    }
  }
  return weights[weights.length - 1][0];
}
