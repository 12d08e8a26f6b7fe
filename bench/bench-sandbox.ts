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

/**
 * The service's environment for benches that send long campaigns through the sandbox's default outcomes.
 * Those end 0.3 % of messages with Plivo's opt-out code (3 % undelivered, a tenth of them code 200), and
 * the brake's default trips above 2 % opted out in a country's last 200 receipts: 5 opt-outs in a window
 * happen by chance now and then over 100,000 messages, and stop the country's sending as they should
 * (one full run's drain waited 900 s on such a hold). A bench measures sending, not the brake: its
 * threshold is raised where chance cannot reach it, and its checks still run with every report pass.
 */
export const BENCH_BRAKE_ENV = { BRAKE_OPT_OUT_RATE: '0.1' };
