import { parseSendWindow, SendWindow } from './send-window';

/** Per-country send windows; `null` for a country means "any time". */
export interface SendWindowDefaults {
  fallback: SendWindow | null;
  byCountry: ReadonlyMap<string, SendWindow | null>;
}

const ANY_TIME = 'any';

/** Reads SEND_WINDOW_DEFAULT and SEND_WINDOW_COUNTRY_DEFAULTS (already checked at start-up). */
export function parseSendWindowDefaults(
  fallback: string | undefined,
  countries: string | undefined,
): SendWindowDefaults {
  const byCountry = new Map<string, SendWindow | null>();
  for (const entry of splitCountries(countries)) {
    byCountry.set(entry.country, entry.window === ANY_TIME ? null : parseSendWindow(entry.window));
  }
  return { fallback: fallback ? parseSendWindow(fallback) : null, byCountry };
}

/** An account's own send-window settings (AccountSettings); each unset part falls back to the service's. */
export interface AccountSendWindows {
  /** The account's default window; undefined: the service's SEND_WINDOW_DEFAULT. */
  fallback?: SendWindow;
  /** The account's per-country overrides (null: any time); a country not here keeps the service's entry. */
  byCountry: ReadonlyMap<string, SendWindow | null>;
}

/**
 * The defaults an account's campaigns get: its own country overrides over the service's country
 * table, and its own default over the service's. A country with an entry in either table (the
 * account's first) uses it; only countries with none take the default (the account's first).
 */
export function accountSendWindowDefaults(
  service: SendWindowDefaults,
  account: AccountSendWindows | null,
): SendWindowDefaults {
  if (!account || (!account.fallback && account.byCountry.size === 0)) {
    return service;
  }
  return {
    fallback: account.fallback ?? service.fallback,
    byCountry: new Map([...service.byCountry, ...account.byCountry]),
  };
}

/** The window a recipient in `country` gets: the campaign's own, else the country's, else the fallback. */
export function sendWindowFor(
  country: string,
  campaignWindow: SendWindow | null,
  defaults: SendWindowDefaults,
): SendWindow | null {
  if (campaignWindow) {
    return campaignWindow;
  }
  const own = defaults.byCountry.get(country);
  return own === undefined ? defaults.fallback : own;
}

/** Start-up check of the two variables: one message per mistake. */
export function sendWindowConfigProblems(fallback: string | undefined, countries: string | undefined): string[] {
  const problems: string[] = [];
  if (fallback) {
    try {
      parseSendWindow(fallback);
    } catch (error) {
      problems.push(`SEND_WINDOW_DEFAULT: ${(error as Error).message}`);
    }
  }
  for (const entry of splitCountries(countries)) {
    if (!/^[A-Z]{2}$/.test(entry.country)) {
      problems.push(`SEND_WINDOW_COUNTRY_DEFAULTS: "${entry.country}" is not an ISO 3166-1 alpha-2 code`);
      continue;
    }
    if (entry.window === ANY_TIME) {
      continue;
    }
    try {
      parseSendWindow(entry.window);
    } catch (error) {
      problems.push(`SEND_WINDOW_COUNTRY_DEFAULTS: ${entry.country}: ${(error as Error).message}`);
    }
  }
  return problems;
}

function splitCountries(text: string | undefined): Array<{ country: string; window: string }> {
  return (text ?? '')
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => {
      const [country, window] = part.split('=', 2);
      return {
        country: country.trim().toUpperCase(),
        window: (window ?? '').trim().toLowerCase() === ANY_TIME ? ANY_TIME : (window ?? '').trim(),
      };
    });
}
