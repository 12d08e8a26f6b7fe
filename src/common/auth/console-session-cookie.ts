import { parse } from 'cookie';
import type { IncomingHttpHeaders } from 'node:http';

/** The web console's session cookie: HttpOnly, SameSite=Strict, set by POST /api/session. */
export const SESSION_COOKIE = 'bulk_sms_session';

/**
 * The header the console sends on every request that changes something. A cross-site page cannot
 * send a custom header without a CORS preflight, which this service never answers, so a request
 * carrying it comes from a page of this origin (defence in depth beside SameSite=Strict).
 */
export const CONSOLE_REQUEST_HEADER = 'x-console-request';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function readSessionToken(headers: IncomingHttpHeaders): string | undefined {
  const header = headers.cookie;
  if (!header) {
    return undefined;
  }
  const token = parse(header)[SESSION_COOKIE];
  return token && token.length <= 128 ? token : undefined;
}

/**
 * True when the browser says the request comes from this service's own pages: the Origin, when
 * sent, names the host the request was sent to (Host, or X-Forwarded-Host behind a proxy).
 * `originRequired`: WebSocket upgrades, whose Origin browsers always send.
 */
export function isSameOrigin(headers: IncomingHttpHeaders, originRequired: boolean): boolean {
  const origin = headers.origin;
  if (!origin) {
    return !originRequired;
  }
  let originHost: string;
  try {
    originHost = new URL(origin).host.toLowerCase();
  } catch {
    return false;
  }
  const forwarded = headers['x-forwarded-host'];
  const hosts = [headers.host, ...(Array.isArray(forwarded) ? forwarded : [forwarded])]
    .filter((host): host is string => typeof host === 'string')
    .flatMap((host) => host.split(','))
    .map((host) => host.trim().toLowerCase());
  return hosts.includes(originHost);
}

/** CSRF rule for a cookie-authenticated HTTP request: same origin, and the console header on anything but a read. */
export function isConsoleRequest(method: string, headers: IncomingHttpHeaders): boolean {
  if (!isSameOrigin(headers, false)) {
    return false;
  }
  return SAFE_METHODS.has(method.toUpperCase()) || headers[CONSOLE_REQUEST_HEADER] !== undefined;
}
