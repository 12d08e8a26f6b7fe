/*
 * Outbound SMS prices per country in Plivo's Pricing API shape.
 * APPROXIMATE: representative of Plivo's public list prices (plivo.com/sms/pricing) as of
 * 2025–2026, rounded, without carrier surcharges (e.g. US 10DLC fees). Good enough to exercise
 * quoting and cost accounting; never use them as real prices. MCC/MNC are real network codes.
 */

export interface SandboxNetwork {
  groupName: string;
  rate: string;
  mcc: string;
  mnc: string;
}

export interface SandboxCountry {
  iso: string;
  name: string;
  callingCode: number;
  /** Outbound rate per segment (USD, 5 decimals). */
  rate: string;
  networks: SandboxNetwork[];
}

function country(
  iso: string,
  name: string,
  callingCode: number,
  rate: string,
  networks: Array<[string, string, string, string]>,
): SandboxCountry {
  return {
    iso,
    name,
    callingCode,
    rate,
    networks: networks.map(([groupName, r, mcc, mnc]) => ({ groupName, rate: r, mcc, mnc })),
  };
}

export const SANDBOX_COUNTRIES: readonly SandboxCountry[] = [
  country('US', 'United States', 1, '0.00550', [
    ['United States - AT&T Mobility', '0.00550', '310', '410'],
    ['United States - T-Mobile', '0.00550', '310', '260'],
    ['United States - Verizon Wireless', '0.00550', '311', '480'],
  ]),
  country('CA', 'Canada', 1, '0.00550', [
    ['Canada - Rogers', '0.00550', '302', '720'],
    ['Canada - Telus', '0.00600', '302', '220'],
    ['Canada - Bell', '0.00600', '302', '610'],
  ]),
  country('GB', 'United Kingdom', 44, '0.04000', [
    ['United Kingdom - EE', '0.04000', '234', '30'],
    ['United Kingdom - O2', '0.04000', '234', '10'],
    ['United Kingdom - Vodafone', '0.04200', '234', '15'],
  ]),
  country('DE', 'Germany', 49, '0.08700', [
    ['Germany - Telekom', '0.08700', '262', '01'],
    ['Germany - Vodafone', '0.08900', '262', '02'],
    ['Germany - O2', '0.08500', '262', '03'],
  ]),
  country('FR', 'France', 33, '0.07500', [
    ['France - Orange', '0.07500', '208', '01'],
    ['France - SFR', '0.07600', '208', '10'],
    ['France - Bouygues', '0.07300', '208', '20'],
  ]),
  country('IN', 'India', 91, '0.00330', [
    ['India - Airtel', '0.00330', '404', '45'],
    ['India - Jio', '0.00330', '405', '861'],
    ['India - Vodafone Idea', '0.00360', '404', '20'],
  ]),
  country('BR', 'Brazil', 55, '0.03800', [
    ['Brazil - Claro', '0.03800', '724', '05'],
    ['Brazil - Vivo', '0.03900', '724', '06'],
    ['Brazil - TIM', '0.03800', '724', '04'],
  ]),
  country('MX', 'Mexico', 52, '0.02600', [
    ['Mexico - Telcel', '0.02600', '334', '020'],
    ['Mexico - AT&T', '0.02800', '334', '050'],
  ]),
  country('AU', 'Australia', 61, '0.04200', [
    ['Australia - Telstra', '0.04200', '505', '01'],
    ['Australia - Optus', '0.04200', '505', '02'],
    ['Australia - Vodafone', '0.04300', '505', '03'],
  ]),
  country('ES', 'Spain', 34, '0.07800', [
    ['Spain - Movistar', '0.07800', '214', '07'],
    ['Spain - Vodafone', '0.07900', '214', '01'],
    ['Spain - Orange', '0.07800', '214', '03'],
  ]),
  country('IT', 'Italy', 39, '0.07900', [
    ['Italy - TIM', '0.07900', '222', '01'],
    ['Italy - Vodafone', '0.08100', '222', '10'],
    ['Italy - WindTre', '0.07900', '222', '88'],
  ]),
  country('NL', 'Netherlands', 31, '0.09500', [
    ['Netherlands - KPN', '0.09500', '204', '08'],
    ['Netherlands - Vodafone', '0.09600', '204', '04'],
    ['Netherlands - Odido', '0.09500', '204', '16'],
  ]),
  country('SE', 'Sweden', 46, '0.05900', [
    ['Sweden - Telia', '0.05900', '240', '01'],
    ['Sweden - Tele2', '0.06100', '240', '07'],
  ]),
  country('PL', 'Poland', 48, '0.03300', [
    ['Poland - Plus', '0.03300', '260', '01'],
    ['Poland - T-Mobile', '0.03400', '260', '02'],
    ['Poland - Orange', '0.03300', '260', '03'],
  ]),
  country('ZA', 'South Africa', 27, '0.02100', [
    ['South Africa - Vodacom', '0.02100', '655', '01'],
    ['South Africa - MTN', '0.02200', '655', '10'],
  ]),
  country('NG', 'Nigeria', 234, '0.15000', [
    ['Nigeria - MTN', '0.15000', '621', '30'],
    ['Nigeria - Airtel', '0.15400', '621', '20'],
    ['Nigeria - Glo', '0.15000', '621', '50'],
  ]),
  country('KE', 'Kenya', 254, '0.11800', [
    ['Kenya - Safaricom', '0.11800', '639', '02'],
    ['Kenya - Airtel', '0.12000', '639', '03'],
  ]),
  country('PH', 'Philippines', 63, '0.16500', [
    ['Philippines - Globe', '0.16500', '515', '02'],
    ['Philippines - Smart', '0.16800', '515', '03'],
  ]),
  country('ID', 'Indonesia', 62, '0.34000', [
    ['Indonesia - Telkomsel', '0.34000', '510', '10'],
    ['Indonesia - Indosat', '0.34500', '510', '01'],
    ['Indonesia - XL Axiata', '0.34000', '510', '11'],
  ]),
  country('JP', 'Japan', 81, '0.07500', [
    ['Japan - NTT docomo', '0.07500', '440', '10'],
    ['Japan - SoftBank', '0.07600', '440', '20'],
    ['Japan - KDDI', '0.07600', '440', '50'],
  ]),
  country('SG', 'Singapore', 65, '0.03900', [
    ['Singapore - Singtel', '0.03900', '525', '01'],
    ['Singapore - StarHub', '0.03900', '525', '05'],
    ['Singapore - M1', '0.04000', '525', '03'],
  ]),
  country('AE', 'United Arab Emirates', 971, '0.04700', [
    ['United Arab Emirates - Etisalat', '0.04700', '424', '02'],
    ['United Arab Emirates - du', '0.04900', '424', '03'],
  ]),
  country('TR', 'Turkey', 90, '0.01600', [
    ['Turkey - Turkcell', '0.01600', '286', '01'],
    ['Turkey - Vodafone', '0.01700', '286', '02'],
    ['Turkey - Turk Telekom', '0.01600', '286', '03'],
  ]),
  country('AR', 'Argentina', 54, '0.05600', [
    ['Argentina - Claro', '0.05600', '722', '310'],
    ['Argentina - Movistar', '0.05800', '722', '07'],
    ['Argentina - Personal', '0.05600', '722', '34'],
  ]),
  country('CO', 'Colombia', 57, '0.01100', [
    ['Colombia - Claro', '0.01100', '732', '101'],
    ['Colombia - Movistar', '0.01200', '732', '123'],
    ['Colombia - Tigo', '0.01100', '732', '103'],
  ]),
];

const BY_ISO = new Map(SANDBOX_COUNTRIES.map((c) => [c.iso, c]));
const BY_CALLING_CODE = new Map<string, SandboxCountry>();
for (const c of SANDBOX_COUNTRIES) {
  if (!BY_CALLING_CODE.has(String(c.callingCode))) {
    BY_CALLING_CODE.set(String(c.callingCode), c);
  }
}

// NANP area codes that belong to Canada; every other +1 number is treated as US.
const CANADIAN_AREA_CODES = new Set(
  '204 226 236 249 250 257 263 289 306 343 354 365 367 368 382 387 403 416 418 428 431 437 438 450 460 468 474 506 514 519 548 579 581 584 587 600 604 613 639 647 672 683 705 709 742 753 778 780 782 807 819 825 867 873 879 902 905'.split(
    ' ',
  ),
);

export function countryByIso(iso: string): SandboxCountry | undefined {
  return BY_ISO.get(iso.toUpperCase());
}

/** Country of an international number given as digits (no "+"), by longest calling-code prefix. */
export function countryOfNumber(digits: string): SandboxCountry | undefined {
  if (digits.startsWith('1')) {
    return BY_ISO.get(CANADIAN_AREA_CODES.has(digits.slice(1, 4)) ? 'CA' : 'US');
  }
  for (let length = 3; length >= 1; length--) {
    const found = BY_CALLING_CODE.get(digits.slice(0, length));
    if (found) {
      return found;
    }
  }
  return undefined;
}

/** Plivo's Pricing API JSON for a country (`GET /Pricing/?country_iso=XX`). */
export function pricingJson(country: SandboxCountry, apiId: string): Record<string, unknown> {
  return {
    api_id: apiId,
    country: country.name,
    country_code: country.callingCode,
    country_iso: country.iso,
    message: {
      inbound: { rate: '0.00000' },
      outbound: { rate: country.rate },
      outbound_networks_list: [
        { group_name: country.iso, rate: country.rate },
        ...country.networks.map((n) => ({ group_name: n.groupName, rate: n.rate })),
      ],
    },
    mms: { inbound: { rate: '0.00000' }, outbound: { rate: '0.02000' }, outbound_networks_list: [] },
    phone_numbers: { local: { rate: '0.80000' }, tollfree: { rate: '1.00000' } },
    voice: {
      inbound: { ip: { rate: '0.00300' }, local: { rate: '0.00850' }, tollfree: { rate: '0.02100' } },
      outbound: { rates: [] },
    },
  };
}
