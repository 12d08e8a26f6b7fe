/** The GraphQL documents the console sends: only the public contract. */

export const PROGRESS_FIELDS = `campaignId status statusReason total pending submitted queued sent delivered
  undelivered failed rejected unconfirmed suppressed cancelled cost { amount currency } estimatedCompletionAt updatedAt`;

export const CAMPAIGNS = `query Campaigns($first: Int, $after: String) {
  campaigns(first: $first, after: $after) {
    edges { node { id name status statusReason createdAt scheduledAt completedAt encoding segmentsPerMessage
      estimatedCost { amount currency } progress { ${PROGRESS_FIELDS} } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const CAMPAIGN = `query Campaign($id: ID!) {
  campaign(id: $id) {
    id name status statusReason text senderId encoding segmentsPerMessage createdAt scheduledAt completedAt
    rejectedRecipientCount estimatedCost { amount currency } maxCost { amount currency }
    cancellation { cancelledMessages alreadyWithProvider }
    progress { ${PROGRESS_FIELDS} }
  }
}`;

export const COST_REPORT = `query CostReport($id: ID!) {
  campaign(id: $id) { id costReport { currency estimatedTotal { amount currency } actualTotal { amount currency }
    perCountry { country recipients reportedMessages estimated { amount currency } actual { amount currency } } } }
}`;

const MESSAGE_PAGE = `totalCount
    edges { cursor node { id to country status providerMessageId errorCode units cost { amount currency } updatedAt } }
    pageInfo { hasNextPage endCursor }`;

export const MESSAGES = `query Messages($id: ID!, $status: MessageStatus, $first: Int, $after: String) {
  campaign(id: $id) { id messages(status: $status, first: $first, after: $after) { ${MESSAGE_PAGE} } }
}`;

/** messages(to:): the messages to one number. */
export const MESSAGES_TO = `query MessagesTo($id: ID!, $status: MessageStatus, $first: Int, $after: String, $to: String) {
  campaign(id: $id) { id messages(status: $status, first: $first, after: $after, to: $to) { ${MESSAGE_PAGE} } }
}`;

/** Failed and undelivered messages, a page at a time, for the error-code summary. */
export const FAILED_MESSAGES = `query FailedMessages($id: ID!, $status: MessageStatus, $first: Int) {
  campaign(id: $id) { id messages(status: $status, first: $first) { totalCount edges { node { errorCode } } } }
}`;

export const PROGRESS_SUBSCRIPTION = `subscription Progress($id: ID!) { campaignProgress(campaignId: $id) { ${PROGRESS_FIELDS} } }`;

export const PAUSE = `mutation Pause($id: ID!) { pauseCampaign(id: $id) { id status statusReason } }`;
export const RESUME = `mutation Resume($id: ID!, $maxCost: Float) { resumeCampaign(id: $id, maxCost: $maxCost) { id status statusReason maxCost { amount currency } } }`;
export const CANCEL = `mutation Cancel($id: ID!) { cancelCampaign(id: $id) { id status statusReason cancellation { cancelledMessages alreadyWithProvider } } }`;

export const QUOTE = `query Quote($input: QuoteInput!) {
  quote(input: $input) { encoding characters segments text unicodeCharacters recipients
    rejectedRecipients { input reason }
    perCountry { country recipients pricePerSegment { amount currency } cost { amount currency } }
    totalCost { amount currency }
    emptyFields { field recipients defaulted } }
}`;

export const SEND_BULK = `mutation SendBulk($input: SendBulkInput!) { sendBulk(input: $input) { id status } }`;

/** The opt-out list (docs/consent.md): newest first, `search` matches digits anywhere in the number. */
export const SUPPRESSIONS = `query Suppressions($first: Int, $after: String, $search: String) {
  suppressions(first: $first, after: $after, search: $search) {
    totalCount
    edges { cursor node { phone reason source campaignId createdAt } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** The same list without the count, for the export (pages of 500). */
export const SUPPRESSIONS_EXPORT = `query SuppressionsExport($first: Int, $after: String) {
  suppressions(first: $first, after: $after) {
    edges { node { phone reason source campaignId createdAt } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const ADD_SUPPRESSIONS = `mutation AddSuppressions($input: AddSuppressionsInput!) {
  addSuppressions(input: $input) { added alreadySuppressed messagesSuppressed }
}`;

export const REMOVE_SUPPRESSION = `mutation RemoveSuppression($phone: String!, $reason: String) {
  removeSuppression(phone: $phone, reason: $reason)
}`;

/** The server's number parser, through the quote: which numbers it refuses, and why. */
export const CHECK_NUMBERS = `query CheckNumbers($input: QuoteInput!) {
  quote(input: $input) { rejectedRecipients { input reason } }
}`;

/** Accounts and their keys (the admin scope). */
export const ACCOUNTS = `query Accounts($first: Int, $after: String) {
  accounts(first: $first, after: $after) {
    edges { cursor node { id name createdAt } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const CREATE_ACCOUNT = `mutation CreateAccount($name: String!) { createAccount(name: $name) { id name createdAt } }`;

const API_KEY_FIELDS = 'id accountId name scopes createdAt expiresAt revokedAt active';

export const API_KEYS = `query ApiKeys($accountId: ID!) { apiKeys(accountId: $accountId) { ${API_KEY_FIELDS} } }`;

export const CREATE_API_KEY = `mutation CreateApiKey($accountId: ID!, $name: String!, $scopes: [Scope!]!, $expiresAt: DateTime) {
  createApiKey(accountId: $accountId, name: $name, scopes: $scopes, expiresAt: $expiresAt) { key apiKey { ${API_KEY_FIELDS} } }
}`;

export const REVOKE_API_KEY = `mutation RevokeApiKey($id: ID!) { revokeApiKey(id: $id) { ${API_KEY_FIELDS} } }`;

/** The account's webhook endpoints and their delivery logs (docs/results.md). */
const ENDPOINT_FIELDS = `id url events createdAt enabled disabledAt disabledReason consecutiveFailures lastSuccessAt lastFailureAt`;

export const WEBHOOK_ENDPOINTS = `query WebhookEndpoints { webhookEndpoints { ${ENDPOINT_FIELDS} } }`;

export const CREATE_WEBHOOK_ENDPOINT = `mutation CreateWebhookEndpoint($url: String!, $events: [String!]!) {
  createWebhookEndpoint(url: $url, events: $events) { secret endpoint { ${ENDPOINT_FIELDS} } }
}`;

export const DELETE_WEBHOOK_ENDPOINT = `mutation DeleteWebhookEndpoint($id: ID!) { deleteWebhookEndpoint(id: $id) }`;

export const ENABLE_WEBHOOK_ENDPOINT = `mutation EnableWebhookEndpoint($id: ID!) { enableWebhookEndpoint(id: $id) { ${ENDPOINT_FIELDS} } }`;

const DELIVERY_FIELDS = `id eventId eventType campaignId state attempts nextAttemptAt lastAttemptAt lastStatusCode lastError
  lastDurationMs deliveredAt createdAt`;

export const WEBHOOK_DELIVERIES = `query WebhookDeliveries($endpointId: ID!, $state: WebhookDeliveryState, $first: Int, $after: String) {
  webhookDeliveries(endpointId: $endpointId, state: $state, first: $first, after: $after) {
    edges { cursor node { ${DELIVERY_FIELDS} } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const REPLAY_WEBHOOK_DELIVERY = `mutation ReplayWebhookDelivery($id: ID!) { replayWebhookDelivery(id: $id) { ${DELIVERY_FIELDS} } }`;
