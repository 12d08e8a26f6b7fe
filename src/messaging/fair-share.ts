/** A campaign waiting to send: its messages left and its priority (weight). */
export interface ShareClaim {
  remaining: number;
  priority: number;
}

/**
 * How long, in ms, until `target` has sent its remaining messages when it shares `mps` with
 * `others` in proportion to priority (the fair share the dispatcher's turns give), and each
 * campaign's share passes to the rest when it finishes. Campaigns finish in order of
 * remaining / priority: at "virtual time" v every campaign has sent v × priority messages.
 */
export function fairShareFinishMs(target: ShareClaim, others: ShareClaim[], mps: number): number {
  if (target.remaining <= 0) {
    return 0;
  }
  const weight = (c: ShareClaim) => Math.max(1, c.priority);
  const targetV = target.remaining / weight(target);
  // Campaigns still sending at each point, as (virtual finish, weight), the target included.
  const finishes = [...others.filter((c) => c.remaining > 0), target]
    .map((c) => ({ v: c.remaining / weight(c), w: weight(c) }))
    .sort((a, b) => a.v - b.v);
  let activeWeight = finishes.reduce((sum, f) => sum + f.w, 0);
  let v = 0;
  let ms = 0;
  for (const finish of finishes) {
    const until = Math.min(finish.v, targetV);
    ms += ((until - v) * activeWeight * 1000) / mps;
    v = until;
    if (v >= targetV) {
      break;
    }
    activeWeight -= finish.w;
  }
  return ms;
}

/** A claim's campaign turn and the account's virtual time (epoch ms; null: none yet), and the database's clock. */
export interface TurnState {
  /** Campaign.dispatchTurnAt: when its next batch's turn comes (its last claim's turn, moved on). */
  turnAtMs: number | null;
  /** ProviderPacing.virtualTurnAt: the turn the last claimed campaign started from. */
  virtualTurnAtMs: number | null;
  nowMs: number;
}

/**
 * Where a claim moves its campaign's turn (start-time fair queuing). The claim starts from the
 * campaign's own turn, or from the virtual time (the turn the last claim started from) when the
 * campaign has none yet or fell behind it; its turn moves on from there by `advanceMs` (its batch's
 * send time over its priority), and the virtual time becomes that start. The claimed campaign's turn
 * comes first (claims are made in turn order), so a campaign that kept sending is never behind the
 * virtual time: its turn moves on from itself, and a priority-4 campaign takes four claims for every one
 * of a priority-1 campaign, however far apart in time the provider's rate limit spaces the claims.
 * Only one that stopped (paused, waiting for its send window or a retry) is brought up to the virtual
 * time, so it does not make up for the time it sent nothing. The clock is not the virtual time: moving
 * a turn on from now, when now is later, is what lost the priorities once claims were paced (each turn
 * was in the past at its next claim, so every campaign restarted from now: 1:1). The clock is only
 * the start of the very first claim.
 */
export function nextTurn(state: TurnState, advanceMs: number): { startMs: number; turnAtMs: number } {
  const { turnAtMs, virtualTurnAtMs, nowMs } = state;
  const startMs = Math.max(turnAtMs ?? virtualTurnAtMs ?? nowMs, virtualTurnAtMs ?? -Infinity);
  return { startMs, turnAtMs: startMs + advanceMs };
}
