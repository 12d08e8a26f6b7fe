import { strictMock } from '../../test/factories/dispatch.factory';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config.service';
import { loadEnvironment } from '../config/env.schema';
import { MessagePartition, MessagePartitionRepository } from '../persistence/message-partition.repository';
import { MessagePartitionService } from './message-partition.service';

const NOW = new Date('2030-03-01T00:00:00Z');

function partition(lowerBound: number): MessagePartition {
  return { name: `Message_${lowerBound}`, lowerBound: String(lowerBound), upperBound: String(lowerBound + 1000) };
}

function setup(env: Record<string, string> = { MESSAGE_PARTITION_RETENTION_DAYS: '30' }) {
  const repository = strictMock<MessagePartitionRepository>();
  const clock = strictMock<Clock>();
  clock.now.mockReturnValue(NOW);
  const config = new AppConfig(loadEnvironment({ MESSAGE_PARTITION_SIZE: '1000', ...env }));
  return { sut: new MessagePartitionService(repository, config, clock), repository };
}

describe('MessagePartitionService', () => {
  describe('ensureAhead', () => {
    it('should keep two partitions of MESSAGE_PARTITION_SIZE ids from the current id on', async () => {
      const { sut, repository } = setup();
      repository.ensureAhead.mockResolvedValue(['Message_3000']);

      await expect(sut.ensureAhead()).resolves.toEqual(['Message_3000']);
      expect(repository.ensureAhead).toHaveBeenCalledWith(1000, 2);
    });
  });

  describe('retireOnce', () => {
    it('should retire only the retirable partitions, with the cutoff MESSAGE_PARTITION_RETENTION_DAYS ago', async () => {
      const { sut, repository } = setup();
      repository.list.mockResolvedValue([partition(0), partition(1000), partition(2000)]);
      repository.retirable.mockImplementation((p) =>
        Promise.resolve({ retirable: p.name !== 'Message_1000', maxId: String(Number(p.lowerBound) + 999) }),
      );
      repository.retire.mockResolvedValue(true);

      await expect(sut.retireOnce()).resolves.toEqual({ retired: ['Message_0', 'Message_2000'], deferred: [] });
      expect(repository.retirable).toHaveBeenCalledWith(partition(0), new Date('2030-01-30T00:00:00Z'));
      expect(repository.retire).toHaveBeenCalledTimes(2);
      expect(repository.retire).toHaveBeenCalledWith(partition(2000), '2999', false);
    });

    it('should defer a partition whose retirement failed or found a new message, and go on with the next', async () => {
      const { sut, repository } = setup({
        MESSAGE_PARTITION_RETENTION_DAYS: '30',
        MESSAGE_PARTITION_KEEP_DETACHED: 'true',
      });
      repository.list.mockResolvedValue([partition(0), partition(1000), partition(2000)]);
      repository.retirable.mockResolvedValue({ retirable: true, maxId: null });
      repository.retire
        .mockRejectedValueOnce(new Error('canceling statement due to lock timeout'))
        .mockResolvedValueOnce(false)
        .mockResolvedValueOnce(true);

      await expect(sut.retireOnce()).resolves.toEqual({
        retired: ['Message_2000'],
        deferred: ['Message_0', 'Message_1000'],
      });
      expect(repository.retire).toHaveBeenLastCalledWith(partition(2000), null, true);
    });

    it('should retire nothing without MESSAGE_PARTITION_RETENTION_DAYS', async () => {
      const { sut } = setup({});

      await expect(sut.retireOnce()).resolves.toEqual({ retired: [], deferred: [] });
    });
  });
});

describe('MessagePartitionService loops', () => {
  const MINUTE_MS = 60_000;
  const DAY_MS = 24 * 60 * MINUTE_MS;

  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('should create partitions at start and every ten minutes, retire a minute after start and then daily, and stop when destroyed', async () => {
    const { sut, repository } = setup();
    repository.ensureAhead.mockResolvedValue([]);
    repository.list.mockResolvedValue([]);

    sut.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(0);
    expect(repository.ensureAhead).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(MINUTE_MS - 1);
    expect(repository.list).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(repository.list).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(9 * MINUTE_MS); // 10 minutes after start
    expect(repository.ensureAhead).toHaveBeenCalledTimes(2);
    await jest.advanceTimersByTimeAsync(DAY_MS - 9 * MINUTE_MS - 1); // a day after the first retirement
    expect(repository.list).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(repository.list).toHaveBeenCalledTimes(2);

    await sut.onModuleDestroy();
    const ensured = repository.ensureAhead.mock.calls.length;
    await jest.advanceTimersByTimeAsync(2 * DAY_MS);
    expect(repository.ensureAhead).toHaveBeenCalledTimes(ensured);
    expect(repository.list).toHaveBeenCalledTimes(2);
  });

  it('should not retire without MESSAGE_PARTITION_RETENTION_DAYS', async () => {
    const { sut, repository } = setup({});
    repository.ensureAhead.mockResolvedValue([]);

    sut.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(2 * DAY_MS);
    await sut.onModuleDestroy();

    expect(repository.ensureAhead).toHaveBeenCalled();
    expect(repository.list).not.toHaveBeenCalled();
  });
});
