import { strictMock } from '../../test/factories/dispatch.factory';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config.service';
import { loadEnvironment } from '../config/env.schema';
import { RetentionRepository } from '../persistence/retention.repository';
import { MessageRetentionService } from './message-retention.service';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
const RETENTION = { MESSAGE_RETENTION_DAYS: '30', MESSAGE_HASH_KEY: 'retention-test-key-0000000000000001' };

function setup(env: Record<string, string> = RETENTION) {
  const repository = strictMock<RetentionRepository>();
  const clock = strictMock<Clock>();
  clock.now.mockImplementation(() => new Date());
  const config = new AppConfig(loadEnvironment(env));
  return { sut: new MessageRetentionService(repository, config, clock), repository };
}

describe('MessageRetentionService loop', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('should pass a minute after start, then daily, and stop when destroyed', async () => {
    const { sut, repository } = setup();
    repository.campaignsDue.mockResolvedValue([]);

    sut.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(MINUTE_MS - 1);
    expect(repository.campaignsDue).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(repository.campaignsDue).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(DAY_MS);
    expect(repository.campaignsDue).toHaveBeenCalledTimes(2);

    await sut.onModuleDestroy();
    await jest.advanceTimersByTimeAsync(2 * DAY_MS);
    expect(repository.campaignsDue).toHaveBeenCalledTimes(2);
  });

  it('should try again the next day after a failed pass', async () => {
    const { sut, repository } = setup();
    repository.campaignsDue.mockRejectedValueOnce(new Error('database unavailable')).mockResolvedValue([]);

    sut.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(MINUTE_MS);
    expect(repository.campaignsDue).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(DAY_MS);
    expect(repository.campaignsDue).toHaveBeenCalledTimes(2);

    await sut.onModuleDestroy();
  });

  it("should run a campaign's statements again when they end in a deadlock, instead of failing the day's pass", async () => {
    jest.useRealTimers();
    const { sut, repository } = setup();
    const deadlock = () => Object.assign(new Error('deadlock detected'), { code: '40P01' });
    repository.campaignsDue.mockResolvedValueOnce(['campaign-1']);
    repository.numbersInClear.mockResolvedValueOnce([{ id: '1', to: '+447911123456' }]).mockResolvedValueOnce([]);
    repository.replaceNumbers.mockRejectedValueOnce(deadlock()).mockResolvedValueOnce(1);
    repository.removeCampaignContent.mockRejectedValueOnce(deadlock()).mockResolvedValueOnce(undefined);

    await expect(sut.runOnce()).resolves.toEqual({ campaigns: 1, numbers: 1 });
    expect(repository.replaceNumbers).toHaveBeenCalledTimes(2);
    expect(repository.removeCampaignContent).toHaveBeenCalledTimes(2);
  });

  it('should not run without MESSAGE_RETENTION_DAYS', async () => {
    const { sut, repository } = setup({});

    sut.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(2 * DAY_MS);
    await sut.onModuleDestroy();

    expect(repository.campaignsDue).not.toHaveBeenCalled();
  });
});
