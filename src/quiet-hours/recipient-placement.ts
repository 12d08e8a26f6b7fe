import { RecipientTimeZones, RecipientZone } from './recipient-time-zones';
import { nextWindowOpening, SendWindow } from './send-window';
import { SendWindowDefaults, sendWindowFor } from './send-window-defaults';

/** What every batch of one group shares: its country, and its window in one zone. */
export interface BatchPlacement {
  country: string;
  /** Null when the country's recipients may be sent to at any time. */
  window: { zone: string; rule: SendWindow; opensAt: Date | null } | null;
}

/** Recipients column by column, in input order: a million of them need no object each. */
export interface RecipientColumns {
  phones: readonly string[];
  countries: readonly string[];
}

export interface RecipientPlacement {
  /** The group index of each recipient, in input order. */
  groupOf: Uint32Array;
  groups: BatchPlacement[];
  /** Recipients whose zone was assumed: their prefix spans zones, or is unknown. */
  assumedZoneRecipients: number;
}

/**
 * Groups recipients so that each batch holds one country and, where a send window applies, one
 * time zone: the dispatcher can then hold or release a whole batch (its window, its country's
 * brake). The zone is only looked up for countries that have a window.
 */
export function placeRecipients(
  { phones, countries }: RecipientColumns,
  campaignWindow: SendWindow | null,
  defaults: SendWindowDefaults,
  startMs: number,
  zones: () => RecipientTimeZones = () => RecipientTimeZones.load(),
): RecipientPlacement {
  const placer = new RecipientPlacer(campaignWindow, defaults, startMs, zones);
  const groupOf = new Uint32Array(phones.length);
  for (let i = 0; i < phones.length; i++) {
    groupOf[i] = placer.groupOf(phones[i], countries[i]);
  }
  return { groupOf, groups: placer.groups, assumedZoneRecipients: placer.assumedZoneRecipients };
}

/** Places recipients one by one, as they come (placeRecipients places a whole list). */
export class RecipientPlacer {
  readonly groups: BatchPlacement[] = [];
  /** Recipients whose zone was assumed: their prefix spans zones, or is unknown. */
  assumedZoneRecipients = 0;
  private readonly groupIndex = new Map<string | RecipientZone, number>();
  private readonly windowOf = new Map<string, SendWindow | null>();

  constructor(
    private readonly campaignWindow: SendWindow | null,
    private readonly defaults: SendWindowDefaults,
    private readonly startMs: number,
    private readonly zones: () => RecipientTimeZones = () => RecipientTimeZones.load(),
  ) {}

  /** The index in `groups` of the recipient's group. */
  groupOf(e164: string, country: string): number {
    let window = this.windowOf.get(country);
    if (window === undefined) {
      window = sendWindowFor(country, this.campaignWindow, this.defaults);
      this.windowOf.set(country, window);
    }
    // The zone lookup's answers are shared objects, one per prefix and country: they key the groups
    // without building a string per recipient.
    const found = window ? this.zones().zoneOf(e164, country) : null;
    if (found && !found.exact) {
      this.assumedZoneRecipients++;
    }
    const key = found ?? country;
    let index = this.groupIndex.get(key);
    if (index === undefined) {
      const same = found ? `${country} ${found.zone}` : country;
      index = this.groupIndex.get(same);
      if (index === undefined) {
        index = this.groups.length;
        this.groupIndex.set(same, index);
        this.groups.push({
          country,
          window: window && found ? windowPlacement(window, found.zone, this.startMs) : null,
        });
      }
      this.groupIndex.set(key, index);
    }
    return index;
  }
}

function windowPlacement(rule: SendWindow, zone: string, startMs: number): BatchPlacement['window'] {
  const opens = nextWindowOpening(rule, zone, startMs);
  return { zone, rule, opensAt: opens > startMs ? new Date(opens) : null };
}
