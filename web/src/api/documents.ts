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
export const CANCEL = `mutation Cancel($id: ID!) { cancelCampaign(id: $id) { id status cancellation { cancelledMessages alreadyWithProvider } } }`;

export const QUOTE = `query Quote($input: QuoteInput!) {
  quote(input: $input) { encoding characters segments text unicodeCharacters recipients
    rejectedRecipients { input reason }
    perCountry { country recipients pricePerSegment { amount currency } cost { amount currency } }
    totalCost { amount currency } }
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
