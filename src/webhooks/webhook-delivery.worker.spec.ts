import { PubSub } from 'graphql-subscriptions';
import { CAMPAIGNS_CHANGED } from '../campaigns/campaign-progress.publisher';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config.service';
import { ClaimedDelivery, DeliveryOutcome, WebhookRepository } from '../persistence/webhook.repository';
import { WebhookDeliveryWorker } from './webhook-delivery.worker';

/** A worker whose claims find `due` once, then nothing. */
function setup(due: ClaimedDelivery[] = []) {
  const claimDue = jest.fn().mockResolvedValueOnce(due).mockResolvedValue([]);
  const recordOutcomes = jest.fn((_deliveries: DeliveryOutcome[]) => Promise.resolve([]));
  const pubSub = new PubSub();
  const config = {
    customerWebhooks: {
      allowPrivate: true,
      timeoutMs: 1_000,
      concurrency: 4,
      concurrencyPerEndpoint: 2,
      retryBaseMs: 1_000,
      retryMaxDelayMs: 60_000,
      retryForMs: 3_600_000,
      pollMs: 500,
      idlePollMs: 2_000,
    },
  } as unknown as AppConfig;
  const sut = new WebhookDeliveryWorker(
    { claimDue, recordOutcomes } as unknown as WebhookRepository,
    config,
    new Clock(),
    pubSub,
  );
  return { sut, pubSub, claims: () => claimDue.mock.calls.length, recordOutcomes };
}

describe(WebhookDeliveryWorker.name, () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('should poll every 500 ms, every 2 s once 5 s of claims found nothing, and look at once when a campaign changes', async () => {
    const { sut, pubSub, claims } = setup();
    await sut.onApplicationBootstrap();

    // Claims at 0, 500, ..., 4,500 ms: the tenth empty one slows the worker down.
    await jest.advanceTimersByTimeAsync(5_000);
    expect(claims()).toBe(10);
    await jest.advanceTimersByTimeAsync(6_000);
    expect(claims()).toBe(13);

    // A campaign changed (its events are in the outbox): a claim at once, the next ones 500 ms apart.
    await pubSub.publish(CAMPAIGNS_CHANGED, { campaignIds: ['c1'] });
    await jest.advanceTimersByTimeAsync(0);
    expect(claims()).toBe(14);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(claims()).toBe(16);

    // While it polls at 500 ms, more changes add no claims of their own.
    await pubSub.publish(CAMPAIGNS_CHANGED, { campaignIds: ['c1'] });
    await jest.advanceTimersByTimeAsync(0);
    expect(claims()).toBe(16);

    await sut.onModuleDestroy();
  });

  it('should record a delivery whose stored secret cannot sign as a failed attempt, retried later, not reject', async () => {
    // A secret edited in the database into one that is not base64: standardwebhooks throws on it.
    const delivery: ClaimedDelivery = {
      id: 'd1',
      endpointId: 'e1',
      attempts: 1,
      url: 'http://127.0.0.1:9/hook',
      secret: 'whsec_x',
      eventId: 'ev1',
      type: 'campaign.completed',
      payload: {},
      eventCreatedAt: new Date(),
    };
    const { sut, recordOutcomes } = setup([delivery]);
    await sut.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(0);

    expect(recordOutcomes).toHaveBeenCalledTimes(1);
    const [outcome] = recordOutcomes.mock.calls[0][0];
    expect(outcome).toMatchObject({ id: 'd1', delivered: false, statusCode: null });
    expect(outcome.error).toMatch(/^the request could not be signed: .*padding/);
    expect(outcome.nextAttemptAt).not.toBeNull();

    await sut.onModuleDestroy();
  });
});
