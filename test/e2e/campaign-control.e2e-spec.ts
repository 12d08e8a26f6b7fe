import { PrismaService } from '../../src/persistence/prisma.service';
import { PlivoSandbox } from '../../src/sandbox/sandbox';
import { graphql } from '../utils/graphql-client';
import { usNumbers, waitFor } from '../utils/phone-numbers';
import { TEST_DATABASES } from '../utils/test-databases';
import { startTestApp, TestApp } from '../utils/test-app';

// Paced on purpose: 200 messages per second and a 5 s message expiry keep at most ~800 messages at
// the provider, so a 2,000-recipient campaign takes ~10 s and can be paused, resumed and cancelled
// while it runs.
const PACED = {
  SANDBOX_TIME_SCALE: '0.001',
  SANDBOX_MPS: '100000',
  PLIVO_MPS: '200',
  PLIVO_MESSAGE_EXPIRY_SECONDS: '5',
  DISPATCH_BATCH_SIZE: '50',
  DISPATCH_POLL_MS: '20',
};

const SEND = 'mutation($input: SendBulkInput!) { sendBulk(input: $input) { id status } }';

describe.each(TEST_DATABASES)('pause, resume, cancel and budget on %s', (database) => {
  let testApp: TestApp;
  let prisma: PrismaService;
  let sandbox: PlivoSandbox;
  let offset = 300_000;

  beforeAll(async () => {
    testApp = await startTestApp(database, PACED);
    prisma = testApp.app.get(PrismaService);
    sandbox = testApp.app.get(PlivoSandbox);
  });

  afterAll(async () => {
    await testApp.close();
  });

  const submitted = (numbers: string[]) => numbers.filter((n) => sandbox.records.timesSubmitted(n) > 0).length;

  async function mutate(apiKey: string, name: string, id: string, extra = '') {
    return graphql<Record<string, { status: string; statusReason: string | null }>>(
      testApp.baseUrl,
      apiKey,
      `mutation($id: ID!) { ${name}(id: $id${extra}) { status statusReason } }`,
      { id },
    );
  }

  it('should stop submitting while paused and finish after resume, each recipient once', async () => {
    const { apiKey } = await testApp.newAccount();
    const recipients = usNumbers(2_000, (offset += 3_000));
    const sent = await graphql<{ sendBulk: { id: string } }>(testApp.baseUrl, apiKey, SEND, {
      input: { recipients, text: 'pause drill' },
    });
    const id = sent.data!.sendBulk.id;
    await waitFor('the first batches', () => Promise.resolve(submitted(recipients) > 0));

    const paused = await mutate(apiKey, 'pauseCampaign', id);
    expect(paused.data?.pauseCampaign).toEqual({ status: 'PAUSED', statusReason: 'paused by the account' });
    // A batch already claimed may still complete; after that nothing more goes out.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const atPause = submitted(recipients);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(submitted(recipients)).toBe(atPause);
    expect(atPause).toBeLessThan(2_000);

    const resumed = await mutate(apiKey, 'resumeCampaign', id);
    expect(resumed.data?.resumeCampaign.status).toBe('SENDING');
    await waitFor('everything submitted', () => Promise.resolve(submitted(recipients) === 2_000), 60_000);
    expect(recipients.every((n) => sandbox.records.timesSubmitted(n) === 1)).toBe(true);
  });

  it('should cancel what is not yet at the provider and refuse to resume a cancelled campaign', async () => {
    const { apiKey } = await testApp.newAccount();
    const recipients = usNumbers(2_000, (offset += 3_000));
    const sent = await graphql<{ sendBulk: { id: string } }>(testApp.baseUrl, apiKey, SEND, {
      input: { recipients, text: 'cancel drill' },
    });
    const id = sent.data!.sendBulk.id;
    await waitFor('the first batches', () => Promise.resolve(submitted(recipients) > 0));

    const cancelled = await mutate(apiKey, 'cancelCampaign', id);
    expect(cancelled.data?.cancelCampaign.status).toBe('CANCELLED');
    await waitFor(
      'no batch in flight',
      async () => (await prisma.batch.count({ where: { campaignId: id, state: 'SUBMITTING' } })) === 0,
    );
    const atCancel = submitted(recipients);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(submitted(recipients)).toBe(atCancel);
    const cancelledMessages = await prisma.message.count({ where: { campaignId: id, status: 'CANCELLED' } });
    expect(cancelledMessages).toBe(2_000 - atCancel);

    const resumed = await mutate(apiKey, 'resumeCampaign', id);
    expect(resumed.errors?.[0].extensions?.code).toBe('INVALID_STATE_TRANSITION');
    expect(resumed.errors?.[0].message).toBe('cannot resume a campaign that is CANCELLED');
  });

  it('should pause before overspending when the provider charges more than estimated, and resume with a higher budget', async () => {
    const { apiKey } = await testApp.newAccount();
    const recipients = usNumbers(1_000, (offset += 3_000));
    // Our cached price says 0.001 per segment; the sandbox charges its own (higher) US rate.
    const far = new Date(Date.now() + 3_600_000);
    await prisma.price.upsert({
      where: { country: 'US' },
      create: {
        country: 'US',
        rate: '0.00100',
        maxRate: '0.00100',
        source: 'test',
        fetchedAt: new Date(),
        expiresAt: far,
      },
      update: { rate: '0.00100', maxRate: '0.00100', fetchedAt: new Date(), expiresAt: far },
    });
    const sent = await graphql<{ sendBulk: { id: string } }>(testApp.baseUrl, apiKey, SEND, {
      input: { recipients, text: 'budget drill', maxCost: 1.2 },
    });
    expect(sent.errors).toBeUndefined();
    const id = sent.data!.sendBulk.id;
    const paused = await waitFor(
      'the budget pause',
      async () => {
        const campaign = await prisma.campaign.findUniqueOrThrow({ where: { id } });
        return campaign.status === 'PAUSED' ? campaign : null;
      },
      60_000,
    );
    expect(paused.statusReason).toMatch(/^budget: projected cost [\d.]+ .* exceeds maxCost 1\.20000$/);
    expect(submitted(recipients)).toBeLessThan(1_000);

    const resumed = await mutate(apiKey, 'resumeCampaign', id, ', maxCost: 100');
    expect(resumed.errors).toBeUndefined();
    await waitFor('everything submitted', () => Promise.resolve(submitted(recipients) === 1_000), 60_000);
    await prisma.price.delete({ where: { country: 'US' } });
  });
});
