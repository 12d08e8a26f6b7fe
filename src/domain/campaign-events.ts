/**
 * Tells live-progress subscribers (on this instance and on the others) that campaigns changed.
 * Called after the transaction that changed them has committed; cheap to call often, because the
 * implementation coalesces. Bound in the app module to the campaign-progress implementation.
 */
export abstract class CampaignEvents {
  abstract campaignsChanged(campaignIds: Iterable<string>): void;
}
