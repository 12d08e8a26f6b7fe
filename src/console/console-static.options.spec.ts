import type { ServerResponse } from 'node:http';
import { consoleStaticOptions } from './console-static.options';

/** The headers the console's static files are served with, for a file under the console's root. */
function headersFor(file: string): Map<string, string> {
  const headers = new Map<string, string>();
  const res = { setHeader: (name: string, value: string) => headers.set(name.toLowerCase(), value) };
  const setHeaders = consoleStaticOptions('/srv/web/dist').serveStaticOptions?.setHeaders as (
    res: ServerResponse,
    file: string,
  ) => void;
  setHeaders(res as unknown as ServerResponse, file);
  return headers;
}

/** One CSP directive's sources, e.g. `connect-src` → ["'self'"]. */
function directive(policy: string, name: string): string[] | undefined {
  const found = policy
    .split(';')
    .map((part) => part.trim().split(/\s+/))
    .find(([directiveName]) => directiveName === name);
  return found?.slice(1);
}

describe('consoleStaticOptions', () => {
  it('should let the console connect to its own origin only, its graphql-ws connection included', () => {
    const policy = headersFor('/srv/web/dist/index.html').get('content-security-policy') ?? '';
    expect(directive(policy, 'connect-src')).toEqual(["'self'"]);
    expect(directive(policy, 'default-src')).toEqual(["'self'"]);
    // A bare scheme source allows any host with that scheme: new WebSocket('ws://evil:3422') would connect.
    for (const sources of policy.split(';').map((part) => part.trim().split(/\s+/).slice(1))) {
      expect(sources.filter((source) => /^(ws|wss|http|https):?$/i.test(source) || source === '*')).toEqual([]);
    }
  });

  it('should forbid framing and sniffing, and send no referrer, on every file', () => {
    for (const file of ['/srv/web/dist/index.html', '/srv/web/dist/assets/index-abc123.js']) {
      const headers = headersFor(file);
      expect(directive(headers.get('content-security-policy') ?? '', 'frame-ancestors')).toEqual(["'none'"]);
      expect(headers.get('x-frame-options')).toBe('DENY');
      expect(headers.get('x-content-type-options')).toBe('nosniff');
      expect(headers.get('referrer-policy')).toBe('no-referrer');
    }
  });

  it('should cache hashed assets for good and index.html never', () => {
    expect(headersFor('/srv/web/dist/assets/index-abc123.js').get('cache-control')).toBe(
      'public, max-age=31536000, immutable',
    );
    expect(headersFor('/srv/web/dist/index.html').get('cache-control')).toBe('no-cache');
  });
});
