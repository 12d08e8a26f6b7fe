import type { PlivoSandbox } from '../src/sandbox/sandbox';
import type { SandboxMessage } from '../src/sandbox/sandbox-message';

/** GB mobile numbers (UK carriers send delivery receipts), `offset` on from the first. */
export function gbMobileNumbers(count: number, offset: number): string[] {
  return Array.from({ length: count }, (_, i) => `+4474${String(10_000_000 + offset + i).slice(0, 8)}`);
}

/** The sandbox's messages to these numbers (one pass over its records: no per-number scan). */
export function sandboxMessagesTo(sandbox: PlivoSandbox, numbers: string[]): SandboxMessage[] {
  const digits = new Set(numbers.map((n) => n.replace(/^\+/, '')));
  const found: SandboxMessage[] = [];
  for (const submission of sandbox.records.submissions) {
    for (const uuid of submission.messageUuids) {
      const message = sandbox.records.message(uuid);
      if (message && digits.has(message.to)) {
        found.push(message);
      }
    }
  }
  return found;
}
