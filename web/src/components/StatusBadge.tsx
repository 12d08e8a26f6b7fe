import type { CampaignStatus } from '../api/types';

export function StatusBadge({ status }: { status: CampaignStatus }) {
  return <span class={`badge badge-${status.toLowerCase()}`}>{status}</span>;
}
