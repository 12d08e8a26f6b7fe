import { graphql } from './graphql-client';
import { waitFor } from './wait-for';

/**
 * Quotes one number of each given country until the quote answers, so that their prices are fetched
 * from the sandbox and stored before a test switches faults on. Tests that shorten PLIVO_TIMEOUT_MS
 * need it: on a busy machine the first price request passed 400 ms, the quote answered "try again later",
 * nothing was stored, and the next sendBulk had to fetch the price under the faults.
 */
export async function pricesStored(baseUrl: string, apiKey: string, numbers: string[]): Promise<void> {
  await waitFor(`the prices of ${numbers.join(', ')} to be fetched and stored`, async () => {
    const response = await graphql(
      baseUrl,
      apiKey,
      'query($input: QuoteInput!) { quote(input: $input) { totalCost { amount } } }',
      { input: { text: 'x', recipients: numbers } },
    );
    return response.errors === undefined;
  });
}
