import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * A worker thread running the module `name` of `dir`: its compiled `.js` when there is one (the built
 * service); from TypeScript sources (the test runner) the same module's `.ts`, compiled on load by
 * @swc/core, a dev dependency, so that tests run exactly the code that ships.
 */
export function startSourceWorker(dir: string, name: string): Worker {
  const compiled = join(dir, `${name}.js`);
  if (existsSync(compiled)) {
    return new Worker(compiled);
  }
  return new Worker(
    `const { transformSync } = require(${JSON.stringify(require.resolve('@swc/core'))});
     const fs = require('node:fs');
     require.extensions['.ts'] = (module, filename) => {
       const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
         filename,
         jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
         module: { type: 'commonjs' },
       });
       module._compile(code, filename);
     };
     require(${JSON.stringify(join(dir, `${name}.ts`))});`,
    { eval: true },
  );
}
