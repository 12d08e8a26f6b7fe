import type { Money } from './api/types';

const integer = new Intl.NumberFormat('en-US');

export function count(value: number): string {
  return integer.format(value);
}

export function money(value: Money | null | undefined): string {
  if (!value) {
    return '—';
  }
  return `${value.amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 5 })} ${value.currency}`;
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) {
    return '—';
  }
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

export function percent(part: number, whole: number): number {
  return whole > 0 ? Math.min(100, Math.round((part / whole) * 1000) / 10) : 0;
}
