import { CampaignStatus } from '../../src/domain/campaign-status.enum';
import { MessageStatus } from '../../src/domain/message-status.enum';
import { PrismaService } from '../../src/persistence/prisma.service';
import { CampaignFactory, gbNumber } from '../factories/campaign.factory';
import { graphql } from '../utils/graphql-client';
import { TEST_DATABASES } from '../utils/test-databases';
import { startTestApp, TestApp } from '../utils/test-app';

const CANCELLATION = `query($id: ID!) { campaign(id: $id) { status cancellation { cancelledMessages alreadyWithProvider } } }`;

type CancellationResult = {
  campaign: { status: string; cancellation: { cancelledMessages: number; alreadyWithProvider: number } | null };
};

describe.each(TEST_DATABASES)('campaign cancellation on %s', (database) => {
  let testApp: TestApp;
  let factory: CampaignFactory;

  beforeAll(async () => {
    testApp = await startTestApp(database);
    factory = new CampaignFactory(testApp.app.get(PrismaService));
  });

  afterAll(async () => {
    await testApp.close();
  });

  async function cancellationOf(apiKey: string, id: string) {
    const response = await graphql<CancellationResult>(testApp.baseUrl, apiKey, CANCELLATION, { id });
    expect(response.errors).toBeUndefined();
    return response.data!.campaign.cancellation;
  }

  it('should not count a message Plivo refused at submission as with the provider', async () => {
    // The outside probe: GB, GB, FR (refused: geo-barred, FAILED with no provider id), DE, then cancel.
    const { accountId, apiKey } = await testApp.newAccount();
    const { campaignId } = await factory.campaign({
      accountId,
      status: CampaignStatus.CANCELLED,
      batches: [
        {
          recipients: [
            { to: gbNumber(1), status: MessageStatus.SENT, providerMessageId: 'uuid-gb-1' },
            { to: gbNumber(2), status: MessageStatus.SENT, providerMessageId: 'uuid-gb-2' },
          ],
        },
        { state: 'FAILED', recipients: [{ to: '+33612345678', country: 'FR', status: MessageStatus.FAILED }] },
        { state: 'CANCELLED', recipients: [{ to: '+4915112345678', country: 'DE', status: MessageStatus.CANCELLED }] },
      ],
    });
    expect(await cancellationOf(apiKey, campaignId)).toEqual({ cancelledMessages: 1, alreadyWithProvider: 2 });
  });

  it('should count what Plivo accepted, whatever became of it, and not what is still on its way', async () => {
    const { accountId, apiKey } = await testApp.newAccount();
    const { campaignId } = await factory.campaign({
      accountId,
      status: CampaignStatus.CANCELLED,
      batches: [
        {
          recipients: [
            // Accepted (a batch's messages learn their provider ids from their reports): 8.
            { to: gbNumber(11), status: MessageStatus.SUBMITTED },
            { to: gbNumber(12), status: MessageStatus.QUEUED, providerMessageId: 'uuid-12' },
            { to: gbNumber(13), status: MessageStatus.SENT, providerMessageId: 'uuid-13' },
            { to: gbNumber(14), status: MessageStatus.DELIVERED, providerMessageId: 'uuid-14' },
            { to: gbNumber(15), status: MessageStatus.UNDELIVERED, providerMessageId: 'uuid-15' },
            { to: gbNumber(16), status: MessageStatus.UNCONFIRMED },
            { to: gbNumber(17), status: MessageStatus.FAILED, providerMessageId: 'uuid-17' },
            { to: gbNumber(18), status: MessageStatus.REJECTED, providerMessageId: 'uuid-18' },
            // Named invalid in Plivo's answer (invalid_number): REJECTED by us, no provider id.
            { to: gbNumber(19), status: MessageStatus.REJECTED },
          ],
        },
        // In a request when the campaign was cancelled: not (yet) with the provider.
        { state: 'SUBMITTING', recipients: [{ to: gbNumber(20) }, { to: gbNumber(21) }] },
        { state: 'FAILED', recipients: [{ to: gbNumber(22), status: MessageStatus.FAILED }] },
        {
          state: 'CANCELLED',
          recipients: [gbNumber(23), gbNumber(24), gbNumber(25)].map((to) => ({ to, status: MessageStatus.CANCELLED })),
        },
        { state: 'CANCELLED', recipients: [{ to: gbNumber(26), status: MessageStatus.SUPPRESSED }] },
      ],
    });
    expect(await cancellationOf(apiKey, campaignId)).toEqual({ cancelledMessages: 3, alreadyWithProvider: 8 });
  });

  it("should give each cancelled campaign of a list page its own count when the page's are counted together", async () => {
    const { accountId, apiKey } = await testApp.newAccount();
    const expected = new Map<string, number>();
    for (const accepted of [1, 2, 4]) {
      const { campaignId } = await factory.campaign({
        accountId,
        status: CampaignStatus.CANCELLED,
        batches: [
          {
            recipients: Array.from({ length: accepted }, (_, i) => ({
              to: gbNumber(40 + 10 * accepted + i),
              status: MessageStatus.SENT,
              providerMessageId: `uuid-list-${accepted}-${i}`,
            })),
          },
          { state: 'CANCELLED', recipients: [{ to: gbNumber(90 + accepted), status: MessageStatus.CANCELLED }] },
        ],
      });
      expected.set(campaignId, accepted);
    }
    const page = await graphql<{
      campaigns: { edges: Array<{ node: { id: string; cancellation: { alreadyWithProvider: number } } }> };
    }>(testApp.baseUrl, apiKey, '{ campaigns { edges { node { id cancellation { alreadyWithProvider } } } } }');
    expect(page.errors).toBeUndefined();
    const counted = new Map(
      page.data!.campaigns.edges.map(({ node }) => [node.id, node.cancellation.alreadyWithProvider] as const),
    );
    expect(counted).toEqual(expected);
  });

  it('should answer null for a campaign that is not cancelled', async () => {
    const { accountId, apiKey } = await testApp.newAccount();
    const { campaignId } = await factory.campaign({
      accountId,
      status: CampaignStatus.PAUSED,
      batches: [{ recipients: [{ to: gbNumber(31), status: MessageStatus.SENT }] }],
    });
    expect(await cancellationOf(apiKey, campaignId)).toBeNull();
  });
});
