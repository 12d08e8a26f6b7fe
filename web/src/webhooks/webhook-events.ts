/** The events an endpoint can subscribe to, as the server names them (docs/results.md, "Events"). */
export const WEBHOOK_EVENTS: Array<{ type: string; when: string }> = [
  { type: 'campaign.started', when: 'the first batch is claimed' },
  { type: 'campaign.paused', when: 'paused by you, the budget or the brake' },
  { type: 'campaign.resumed', when: 'sending again after a pause' },
  { type: 'campaign.completed', when: 'every message final, with the tally and cost' },
  { type: 'campaign.cancelled', when: 'cancelled' },
  { type: 'campaign.failed', when: 'failed' },
  { type: 'campaign.settled', when: 'cancelled or failed with messages at Plivo: once they are final, the final tally and cost' },
  { type: 'message.final', when: 'messages reached a final status (up to 500 an event)' },
  { type: 'recipient.opted_out', when: 'a recipient opted out' },
];
