import type { Scope } from '../api/types';

/** Each scope as the server names it in errors (`campaigns:read`), and what it allows (docs/security.md). */
export const SCOPE_LABELS: Record<Scope, { name: string; allows: string }> = {
  CAMPAIGNS_READ: { name: 'campaigns:read', allows: 'every read: campaigns, quotes, opt-outs, webhooks, exports' },
  CAMPAIGNS_WRITE: { name: 'campaigns:write', allows: 'send, pause, resume and cancel campaigns' },
  SUPPRESSIONS_WRITE: { name: 'suppressions:write', allows: 'the opt-out list, erasure and consent settings' },
  WEBHOOKS_WRITE: { name: 'webhooks:write', allows: 'create, delete and enable endpoints, replay deliveries' },
  ADMIN: { name: 'admin', allows: 'accounts, keys, settings and audit log of every account' },
};
