import { AppConfig } from '../config/app-config.service';
import { ConsentTransactor } from '../persistence/consent-transactor';
import { ConsentProcessor } from './consent-processor.service';
import { ConsentReplySender } from './consent-reply-sender.service';
import { RecipientHasher } from './recipient-hasher';

/** A processor whose passes find nothing, unless the test says otherwise (`run.mockResolvedValueOnce`). */
function setup() {
  const run = jest.fn(() => Promise.resolve({ processed: 0, changedCampaigns: [] as string[], replies: 0 }));
  const config = { consent: { processIntervalMs: 500, processIdleIntervalMs: 2_000 } } as unknown as AppConfig;
  const sut = new ConsentProcessor(
    { run } as unknown as ConsentTransactor,
    { campaignsChanged: jest.fn() },
    { wake: jest.fn() } as unknown as ConsentReplySender,
    {} as RecipientHasher,
    config,
  );
  return { sut, run, passes: () => run.mock.calls.length };
}

describe(ConsentProcessor.name, () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('should poll every 500 ms, every 2 s once 5 s of passes found nothing, and every 500 ms again once a pass finds messages', async () => {
    const { sut, run, passes } = setup();
    sut.onApplicationBootstrap();

    // Passes at 0, 500, ..., 4,500 ms: the tenth empty one slows the loop down.
    await jest.advanceTimersByTimeAsync(5_000);
    expect(passes()).toBe(10);
    await jest.advanceTimersByTimeAsync(6_000);
    expect(passes()).toBe(13);

    // The webhook stored a STOP: a pass at once, which finds it; the next ones 500 ms apart.
    run.mockResolvedValueOnce({ processed: 1, changedCampaigns: [], replies: 0 });
    sut.wake();
    await jest.advanceTimersByTimeAsync(0);
    expect(passes()).toBe(14);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(passes()).toBe(16);

    await sut.onModuleDestroy();
  });
});
