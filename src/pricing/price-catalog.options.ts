/** Tuning of the price cache; the defaults apply unless PRICE_CATALOG_OPTIONS is provided. */
export interface PriceCatalogOptions {
  /** How long a fetched price is trusted. */
  ttlMs: number;
  /** How often the background refresh looks for prices expiring before its next run. */
  refreshCheckMs: number;
  /** Pricing API requests in flight at once (Plivo rate-limits its API per account). */
  fetchConcurrency: number;
}

export const PRICE_CATALOG_OPTIONS = Symbol('PRICE_CATALOG_OPTIONS');

const HOUR_MS = 60 * 60 * 1000;

export const DEFAULT_PRICE_CATALOG_OPTIONS: PriceCatalogOptions = {
  ttlMs: 24 * HOUR_MS,
  refreshCheckMs: 6 * HOUR_MS,
  fetchConcurrency: 4,
};
