import { strictMock } from '../../test/factories/dispatch.factory';
import { CampaignEvents } from '../domain/campaign-events';
import { CampaignRepository } from '../persistence/campaign.repository';
import { AppliedReportsFollowUp, FOLLOW_UP_INTERVAL_MS } from './applied-reports-follow-up.service';

function setup() {
  const campaigns = strictMock<CampaignRepository>();
  campaigns.completeFinished.mockResolvedValue([]);
  const events = strictMock<CampaignEvents>();
  events.campaignsChanged.mockReturnValue(undefined);
  return { followUp: new AppliedReportsFollowUp(campaigns, events), campaigns, events };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await Promise.resolve();
  }
}

describe(AppliedReportsFollowUp.name, () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('should complete, then tell subscribers about, the campaigns of one run', async () => {
    const { followUp, campaigns, events } = setup();

    await followUp.run(['c1', 'c2']);

    expect(campaigns.completeFinished).toHaveBeenCalledWith(['c1', 'c2']);
    expect(events.campaignsChanged).toHaveBeenCalledWith(['c1', 'c2']);
  });

  it('should gather what is scheduled meanwhile into one run, at most every interval', async () => {
    const { followUp, campaigns } = setup();

    followUp.schedule(['c1']);
    followUp.schedule(['c2', 'c1']);
    await jest.advanceTimersByTimeAsync(0);
    await settle();
    followUp.schedule(['c3']);
    await jest.advanceTimersByTimeAsync(FOLLOW_UP_INTERVAL_MS - 1);

    expect(campaigns.completeFinished.mock.calls).toEqual([[['c1', 'c2']]]);
    await jest.advanceTimersByTimeAsync(1);
    expect(campaigns.completeFinished.mock.calls).toEqual([[['c1', 'c2']], [['c3']]]);
  });

  it('should keep the campaigns of a failed run for the next one', async () => {
    const { followUp, campaigns } = setup();
    campaigns.completeFinished.mockRejectedValueOnce(new Error('database down'));

    followUp.schedule(['c1']);
    await jest.advanceTimersByTimeAsync(0);
    await settle();
    await jest.advanceTimersByTimeAsync(2000);

    expect(campaigns.completeFinished.mock.calls).toEqual([[['c1']], [['c1']]]);
  });

  it('should run what is gathered at once on flush', async () => {
    const { followUp, campaigns } = setup();

    followUp.schedule(['c1']);
    await followUp.flush();

    expect(campaigns.completeFinished).toHaveBeenCalledWith(['c1']);
  });

  it('should arm no timer after shutdown: a failing run is not retried, a later schedule waits for a flush', async () => {
    const { followUp, campaigns } = setup();
    campaigns.completeFinished.mockRejectedValue(new Error('database closed'));
    followUp.schedule(['c1']);

    await followUp.onModuleDestroy();
    followUp.schedule(['c2']);
    await jest.advanceTimersByTimeAsync(10_000);

    expect(campaigns.completeFinished.mock.calls).toEqual([[['c1']]]);
    campaigns.completeFinished.mockResolvedValue([]);
    await followUp.flush();
    expect(campaigns.completeFinished.mock.calls).toEqual([[['c1']], [['c1', 'c2']]]);
    expect(jest.getTimerCount()).toBe(0);
  });
});
