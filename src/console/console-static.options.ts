import type { ServeStaticModuleOptions } from '@nestjs/serve-static';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { projectRoot } from '../persistence/project-root';

/** Where `npm run build` (vite) writes the console. */
export const CONSOLE_DIST_DIR = path.join(projectRoot(), 'web', 'dist');

/**
 * The console may talk to this origin only, and may not be framed (its buttons pause and cancel campaigns).
 * `connect-src 'self'` covers its graphql-ws connection too: CSP Level 3 browsers match ws:/wss: to the
 * same host under 'self'. Bare `ws:`/`wss:` sources would let a page open a WebSocket to any host.
 */
const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; " +
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

/**
 * The console's files at `/`, and its index.html for any other GET (client-side routes), except
 * the API's own paths: unknown /api/* and /graphql* paths keep answering 404, not the page.
 */
export function consoleStaticOptions(rootPath: string = CONSOLE_DIST_DIR): ServeStaticModuleOptions {
  return {
    rootPath,
    exclude: ['/api/{*rest}', '/graphql{/*rest}', '/health', '/ready', '/metrics'],
    serveStaticOptions: {
      index: 'index.html',
      setHeaders: (res: ServerResponse, file: string) => {
        for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
          res.setHeader(name, value);
        }
        // Vite names built assets by their content hash: they never change; index.html always may.
        const hashed = file.split(path.sep).includes('assets');
        res.setHeader('Cache-Control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    },
  };
}
