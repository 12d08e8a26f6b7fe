-- Fair share's virtual time (docs/sending.md, "Fair share between campaigns"), kept on the account's
-- pacing row, which every claim locks first. A claim moved its campaign's turn on from the clock when
-- the turn was in the past, which it always is when the provider's rate limit spaces the claims, so
-- priority was lost (1:1 whatever the priorities). Now a turn moves on from itself, or from this virtual
-- time when it fell behind it (a campaign that stopped sending for a while). NULL until the first claim.
ALTER TABLE "ProviderPacing" ADD COLUMN "virtualTurnAt" TIMESTAMPTZ(3);
