import { existsSync } from 'node:fs';
import path from 'node:path';

/** The folder holding package.json: the same from `src/` (tests) and from `dist/src/` (build). */
export function projectRoot(from: string = __dirname): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`package.json not found above ${from}`);
    }
    dir = parent;
  }
  return dir;
}

export const MIGRATIONS_DIR = path.join(projectRoot(), 'prisma', 'migrations');
