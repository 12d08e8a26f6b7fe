import { Injectable, OnApplicationShutdown, OnModuleDestroy } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { closeWithin } from '../../utils/open-resources';
import { watchShutdownHooks } from '../../utils/shutdown-hooks-under-way';

@Injectable()
class HangsOnDestroy implements OnModuleDestroy {
  release: () => void = () => undefined;
  onModuleDestroy(): Promise<void> {
    return new Promise((resolve) => (this.release = resolve));
  }
}

@Injectable()
class ClosesAtOnce implements OnModuleDestroy, OnApplicationShutdown {
  onModuleDestroy(): void {}
  onApplicationShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

// A test app whose close() hangs fails its file; the error names the hook it waited for, so a hang
// seen once in CI says where it was.
describe('a test app close that hangs', () => {
  it('should name the shutdown hooks still under way, and only those', async () => {
    const moduleRef = await Test.createTestingModule({ providers: [HangsOnDestroy, ClosesAtOnce] }).compile();
    const app = moduleRef.createNestApplication();
    await app.init();
    const underWay = watchShutdownHooks(app);
    let forced = false;

    const closing = closeWithin(
      'the app',
      () => app.close(),
      200,
      () => void (forced = true),
      underWay,
    );

    await expect(closing).rejects.toThrow(
      'the app did not close within 200 ms (still waiting for HangsOnDestroy.onModuleDestroy); it was forced',
    );
    expect(forced).toBe(true);
    app.get(HangsOnDestroy).release();
  });
});
