export interface PacingState {
  /** When the provider's queue for this key is empty, given everything submitted so far. */
  queueDrainsAtMs: number;
  apiTokens: number;
  apiTokensAtMs: number;
}

export interface PacingLimits {
  /** Messages per second the provider sends for this key. */
  mps: number;
  /** Longest wait a message may have in the provider's queue (below its message_expiry). */
  maxQueueMs: number;
  /** API requests: bucket size and refill per millisecond (300 per 5 s = 300 and 0.06). */
  apiBurst: number;
  apiRefillPerMs: number;
}

export type Reservation = { granted: true; next: PacingState } | { granted: false; retryAtMs: number };

/**
 * May `messages` more go to the provider now? Plivo queues what exceeds the account's MPS and
 * expires what waits longer than message_expiry (error 420), so we keep our own model of its
 * queue: it drains at `mps`, and a batch is only sent when its last message would wait at most
 * `maxQueueMs`. An empty queue always takes one batch, however large. API requests are a token
 * bucket. Pure: the caller keeps the state (in PostgreSQL, shared by all instances).
 */
export function reserve(state: PacingState, limits: PacingLimits, messages: number, nowMs: number): Reservation {
  const tokens = Math.min(limits.apiBurst, state.apiTokens + (nowMs - state.apiTokensAtMs) * limits.apiRefillPerMs);
  if (tokens < 1) {
    return { granted: false, retryAtMs: nowMs + Math.ceil((1 - tokens) / limits.apiRefillPerMs) };
  }
  const drainStart = Math.max(nowMs, state.queueDrainsAtMs);
  const drainsAt = drainStart + (messages / limits.mps) * 1000;
  if (drainStart > nowMs && drainsAt - nowMs > limits.maxQueueMs) {
    return { granted: false, retryAtMs: Math.min(drainStart, drainsAt - limits.maxQueueMs) };
  }
  return { granted: true, next: { queueDrainsAtMs: drainsAt, apiTokens: tokens - 1, apiTokensAtMs: nowMs } };
}

/** Gives back the queue time of messages that were reserved but did not reach the provider. */
export function release(state: PacingState, limits: PacingLimits, messages: number, nowMs: number): PacingState {
  return {
    ...state,
    queueDrainsAtMs: Math.max(nowMs, state.queueDrainsAtMs - (messages / limits.mps) * 1000),
  };
}

/** When a provider queue drained at `mps` would have sent `messages` more, starting after `queueDrainsAtMs`. */
export function drainEstimate(queueDrainsAtMs: number, mps: number, messages: number, nowMs: number): number {
  return Math.max(nowMs, queueDrainsAtMs) + (messages / mps) * 1000;
}

/** One lane's locked state and limits, at the database's clock. */
export interface LaneState {
  key: string;
  state: PacingState;
  limits: PacingLimits;
}

export type LanesReservation =
  { granted: true; next: Array<{ key: string; state: PacingState }> } | { granted: false; retryAtMs: number };

/** Reserves `messages` on every lane a batch goes through, or says when the fullest one has room. */
export function reserveLanes(lanes: LaneState[], messages: number, nowMs: number): LanesReservation {
  const next: Array<{ key: string; state: PacingState }> = [];
  for (const lane of lanes) {
    const result = reserve(lane.state, lane.limits, messages, nowMs);
    if (!result.granted) {
      return result;
    }
    next.push({ key: lane.key, state: result.next });
  }
  return { granted: true, next };
}

/**
 * A token bucket's state after taking one token, or how long until one is there. Buckets start
 * full (`burst`).
 */
export function takeToken(
  bucket: { apiTokens: number; apiTokensAtMs: number },
  limits: { burst: number; refillPerMs: number },
  nowMs: number,
): { granted: true; apiTokens: number } | { granted: false; waitMs: number } {
  const tokens = Math.min(limits.burst, bucket.apiTokens + (nowMs - bucket.apiTokensAtMs) * limits.refillPerMs);
  if (tokens < 1) {
    return { granted: false, waitMs: Math.ceil((1 - tokens) / limits.refillPerMs) };
  }
  return { granted: true, apiTokens: tokens - 1 };
}

/**
 * Fair share between campaigns: a claim moves the campaign's turn on by the time its batch takes
 * to send at the lane's MPS, divided by its priority (fair-share.ts, nextTurn). The campaign whose
 * turn comes first is claimed next, so campaigns sending at once share the MPS round-robin, in
 * proportion to priority. At least 1 ms (the turn's precision): a turn always moves on, so a
 * campaign of one-message claims at a high MPS does not keep the first turn.
 */
export function turnAdvanceMs(messages: number, laneMps: number, priority: number): number {
  return Math.max(1, Math.round((messages / laneMps / Math.max(1, priority)) * 1000));
}
