/**
 * Whether a parsed JSON value nests no deeper than `max` levels of arrays and objects. Iterative: JSON.parse
 * takes values nested thousands deep, while JSON.stringify and every recursive walk of them overflow the
 * stack (a 6 KB body of 3,000 nested lists answered 500 "Maximum call stack size exceeded").
 */
export function jsonDepthWithin(value: unknown, max: number): boolean {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (current === null || typeof current !== 'object') {
      continue;
    }
    if (depth + 1 > max) {
      return false;
    }
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (child !== null && typeof child === 'object') {
        stack.push({ value: child, depth: depth + 1 });
      }
    }
  }
  return true;
}

/** Deeper than any field a client has a reason to send (a personalization value, a report field). */
export const MAX_JSON_FIELD_DEPTH = 32;
