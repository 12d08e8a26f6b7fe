import type { CampaignCounters } from '../domain/campaign.record';
/** Live progress as the campaignProgress subscription sends it (the counters, then the rest). */
export interface ProgressSnapshot extends CampaignCounters {
  campaignId: string;
  status: string;
  statusReason?: string | null;
  cost: { amount: number; currency: string };
  estimatedCompletionAt: string | null;
  updatedAt: string;
  /** Waiting for the recipients' send window to open (quiet hours). */
  waitingForWindow?: number;
  /** Held by a tripped brake until resume. */
  heldByBrake?: number;
}

export const PROGRESS_FIELDS = `campaignId status statusReason total pending submitted queued sent delivered undelivered failed rejected
  unconfirmed suppressed cancelled cost { amount currency } estimatedCompletionAt updatedAt waitingForWindow heldByBrake`;

/** Message statuses in the order a tally lists them, with the counter that holds each. */
export const STATUS_COUNTERS = [
  ['PENDING', 'pending'],
  ['SUBMITTED', 'submitted'],
  ['QUEUED', 'queued'],
  ['SENT', 'sent'],
  ['DELIVERED', 'delivered'],
  ['UNDELIVERED', 'undelivered'],
  ['FAILED', 'failed'],
  ['REJECTED', 'rejected'],
  ['UNCONFIRMED', 'unconfirmed'],
  ['SUPPRESSED', 'suppressed'],
  ['CANCELLED', 'cancelled'],
] as const;

export type StatusCounter = (typeof STATUS_COUNTERS)[number][1];

const FINAL_COUNTERS: StatusCounter[] = [
  'delivered',
  'undelivered',
  'failed',
  'rejected',
  'unconfirmed',
  'suppressed',
  'cancelled',
];

/** Recipients that reached a final status. */
export function finishedCount(progress: ProgressSnapshot): number {
  return FINAL_COUNTERS.reduce((sum, counter) => sum + progress[counter], 0);
}

const number = new Intl.NumberFormat('en-US');

export function formatCount(value: number): string {
  return number.format(value);
}

export function formatMoney(amount: number, currency: string): string {
  // Up to the API's 5 decimals, trailing zeros dropped, at least cents: 0.0035, 18.20, 0.00.
  const [units, decimals] = amount.toFixed(5).split('.');
  return `${units}.${decimals.replace(/0+$/, '').padEnd(2, '0')} ${currency}`;
}

/**
 * One line: `[#########-----------]  45% 4,500/10,000 done · delivered 4,400 · failed 100 · 15.75 USD · SENDING · ETA 12:03:10`.
 * `width` is the bar's width in characters; `fill` and `empty` let a terminal use block characters.
 */
export function renderProgressLine(progress: ProgressSnapshot, width = 30, fill = '#', empty = '-'): string {
  const done = finishedCount(progress);
  const ratio = progress.total > 0 ? Math.min(1, done / progress.total) : 0;
  const filled = Math.round(ratio * width);
  const bar = `[${fill.repeat(filled)}${empty.repeat(width - filled)}]`;
  const parts = [
    `${bar} ${String(Math.floor(ratio * 100)).padStart(3)}% ${formatCount(done)}/${formatCount(progress.total)} done`,
  ];
  for (const counter of FINAL_COUNTERS) {
    if (progress[counter] > 0) {
      parts.push(`${counter} ${formatCount(progress[counter])}`);
    }
  }
  if (progress.waitingForWindow) {
    parts.push(`${formatCount(progress.waitingForWindow)} waiting for their window`);
  }
  if (progress.heldByBrake) {
    parts.push(`${formatCount(progress.heldByBrake)} held by the brake`);
  }
  parts.push(formatMoney(progress.cost.amount, progress.cost.currency), progress.status);
  if (progress.estimatedCompletionAt) {
    parts.push(`ETA ${new Date(progress.estimatedCompletionAt).toISOString().slice(11, 19)}Z`);
  }
  if (progress.statusReason) {
    parts.push(progress.statusReason);
  }
  return parts.join(' · ');
}

/** The final table: messages and cost per status (cost where known), then the total. */
export function renderTally(progress: ProgressSnapshot, costByStatus?: Map<string, number>): string {
  const { currency } = progress.cost;
  const rows: Array<[string, string, string]> = [];
  for (const [status, counter] of STATUS_COUNTERS) {
    if (progress[counter] > 0) {
      const cost = costByStatus?.get(status);
      rows.push([status, formatCount(progress[counter]), cost === undefined ? '' : formatMoney(cost, currency)]);
    }
  }
  rows.push(['total', formatCount(progress.total), formatMoney(progress.cost.amount, currency)]);
  const widths = [0, 1, 2].map((column) =>
    Math.max(...[['status', 'messages', 'cost'], ...rows].map((row) => row[column].length)),
  );
  const line = (row: [string, string, string]) =>
    `${row[0].padEnd(widths[0])}  ${row[1].padStart(widths[1])}  ${row[2].padStart(widths[2])}`.trimEnd();
  return [
    `Campaign ${progress.campaignId}: ${progress.status}`,
    line(['status', 'messages', 'cost']),
    ...rows.map(line),
  ].join('\n');
}

export interface ProgressOutput {
  isTTY?: boolean;
  columns?: number;
  write(text: string): boolean;
}

/**
 * Shows progress on stderr: one line redrawn in place on a terminal, otherwise a plain line at
 * most every `plainIntervalMs` (and whenever the status changes), so logs stay readable.
 */
export class ProgressReporter {
  private lastPlainAt = Number.NEGATIVE_INFINITY;
  private lastStatus?: string;
  private drawn = false;

  constructor(
    private readonly output: ProgressOutput,
    private readonly plainIntervalMs = 5000,
    private readonly now: () => number = Date.now,
  ) {}

  update(progress: ProgressSnapshot): void {
    if (this.output.isTTY) {
      const columns = this.output.columns ?? 100;
      const line = renderProgressLine(progress, Math.max(10, Math.min(30, columns - 90)), '█', '░');
      this.output.write(`\r\x1b[2K${line.slice(0, columns - 1)}`);
      this.drawn = true;
      return;
    }
    const now = this.now();
    if (now - this.lastPlainAt >= this.plainIntervalMs || progress.status !== this.lastStatus) {
      this.output.write(`${renderProgressLine(progress)}\n`);
      this.lastPlainAt = now;
      this.lastStatus = progress.status;
    }
  }

  /** Ends the in-place line, so what follows starts on its own line. */
  finish(): void {
    if (this.drawn) {
      this.output.write('\n');
      this.drawn = false;
    }
  }
}
