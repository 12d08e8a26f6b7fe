import type { Progress } from '../api/types';
import { count, percent } from '../format';

/** Done = every message in a final status; the bar splits it into delivered, failed and the rest. */
export function finishedCount(p: Progress): number {
  return p.delivered + p.undelivered + p.failed + p.rejected + p.unconfirmed + p.suppressed + p.cancelled;
}

export function ProgressBar({ progress, label }: { progress: Progress; label: string }) {
  const done = finishedCount(progress);
  const total = progress.total;
  const failed = progress.undelivered + progress.failed + progress.rejected;
  const other = done - progress.delivered - failed;
  return (
    <div class="progress">
      <div
        class="progress-track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={done}
        aria-valuetext={`${count(done)} of ${count(total)} done (${percent(done, total)}%)`}
      >
        <span class="seg delivered" style={{ width: `${percent(progress.delivered, total)}%` }} />
        <span class="seg failed" style={{ width: `${percent(failed, total)}%` }} />
        <span class="seg other" style={{ width: `${percent(other, total)}%` }} />
      </div>
      <span class="progress-text">
        {count(done)} / {count(total)} ({percent(done, total)}%)
      </span>
    </div>
  );
}
