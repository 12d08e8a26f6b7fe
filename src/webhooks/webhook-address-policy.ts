import ipaddr from 'ipaddr.js';
import { lookup as dnsLookup, LookupAddress, LookupOptions } from 'node:dns';
import { isIP } from 'node:net';

/** Why a URL is refused; null when it may be called. */
export function refuseWebhookUrl(raw: string, allowPrivate: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a valid absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return 'must be an http or https URL';
  }
  if (url.username || url.password) {
    return 'must not carry credentials';
  }
  if (raw.length > 2048) {
    return 'must be at most 2048 characters long';
  }
  const host = hostOf(url);
  if (!allowPrivate && isIP(host) && !isPublicAddress(host)) {
    return `points to a private, loopback or link-local address (${host})`;
  }
  if (!allowPrivate && (host === 'localhost' || host.endsWith('.localhost'))) {
    return 'points to localhost';
  }
  return null;
}

/** The host without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * Only unicast addresses on the public internet. ipaddr.js classifies the special ranges (private,
 * loopback, link-local, unique-local, CGNAT, multicast, reserved…); IPv4-mapped IPv6 is unwrapped.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) {
    return false;
  }
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  } else if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).parts.slice(0, 6).every((part) => part === 0)) {
    // ::/96, the deprecated IPv4-compatible form: `[::127.0.0.1]`, which URL normalises to `[::7f00:1]`,
    // is "unicast" to ipaddr.js. No public host is reached that way.
    return false;
  }
  return parsed.range() === 'unicast';
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http(s).Agent that refuses private addresses at connect time: the check applies
 * to the addresses actually connected to, so a DNS answer that changes after registration (DNS
 * rebinding) is caught too. Node does not call `lookup` for an IP literal: refuseWebhookUrl covers those.
 */
export function publicOnlyLookup(resolve: typeof dnsLookup = dnsLookup) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) {
        callback(error, options.all ? [] : '', undefined);
        return;
      }
      const list = addresses;
      const refused = list.find((entry) => !isPublicAddress(entry.address));
      if (refused || list.length === 0) {
        const denied: NodeJS.ErrnoException = new Error(
          // Not the address: the tenant reads this error, and the service's name resolution is not theirs to map.
          `webhook host ${hostname} resolves to a non-public address`,
        );
        denied.code = 'EADDRNOTPUBLIC';
        callback(denied, options.all ? [] : '', undefined);
        return;
      }
      if (options.all) {
        callback(null, list);
      } else {
        callback(null, list[0].address, list[0].family);
      }
    });
  };
}
