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
