import { strictMock } from '../../test/factories/dispatch.factory';
import { AppConfig } from '../config/app-config.service';
import { loadEnvironment } from '../config/env.schema';
import { ProviderAccount } from '../sms-gateway/provider-account';
import { PacingLedger } from './pacing-ledger';
import { PacingPlan } from './pacing-plan';
import { ProviderApiBudget } from './provider-api-budget';

function setup(waits: number[]) {
  const config = new AppConfig(loadEnvironment({}));
  const ledger = strictMock<PacingLedger>();
  let call = 0;
  ledger.takeApiTokens.mockImplementation(() => Promise.resolve(waits[call++] ?? 0));
  return {
    sut: new ProviderApiBudget(
      ledger,
      new PacingPlan(config, new ProviderAccount('sandbox', 'MA1', '+14155550100', [])),
      config,
    ),
    ledger,
  };
}

describe(ProviderApiBudget.name, () => {
  it('should run whileWaiting before each pause for the budget (a check keeps its lease), not when there is none', async () => {
    const { sut, ledger } = setup([5, 5, 0]);
    const whileWaiting = jest.fn(() => Promise.resolve());

    await sut.beforeRead('list', { whileWaiting });

    expect(ledger.takeApiTokens).toHaveBeenCalledTimes(3);
    expect(whileWaiting).toHaveBeenCalledTimes(2);
    await sut.beforeRead('get', { whileWaiting });
    expect(whileWaiting).toHaveBeenCalledTimes(2);
  });

  it('should end a wait at once when its signal aborts, with the reason', async () => {
    const { sut } = setup([60_000, 60_000]);
    const stop = new AbortController();

    const waiting = sut.beforeRead('list', { signal: stop.signal });
    await new Promise((resolve) => setImmediate(resolve));
    stop.abort(new Error('the dispatcher is stopping'));

    await expect(waiting).rejects.toThrow('the dispatcher is stopping');
  });
});
