import { AppConfig } from '../config/app-config.service';
import { loadEnvironment } from '../config/env.schema';
import { ProviderAccount } from '../sms-gateway/provider-account';
import { PacingPlan } from './pacing-plan';

function plan(env: Record<string, string>) {
  return new PacingPlan(new AppConfig(loadEnvironment(env)), new ProviderAccount('sandbox', 'MA1', '+14155550100', []));
}

describe(PacingPlan.name, () => {
  describe('batchSizeFor', () => {
    it('should hold MPS x lead recipients, at most DISPATCH_BATCH_SIZE', () => {
      expect(plan({}).batchSizeFor('+14155550100')).toBe(50); // 5 MPS x 10 s
      expect(plan({ PLIVO_MPS: '50' }).batchSizeFor('+14155550100')).toBe(500);
      expect(plan({ PLIVO_MPS: '1000' }).batchSizeFor('+14155550100')).toBe(1000);
      expect(plan({ PLIVO_MPS: '1000', DISPATCH_BATCH_SIZE: '200' }).batchSizeFor('+14155550100')).toBe(200);
      expect(plan({ PLIVO_MPS: '0.05', DISPATCH_LEAD_SECONDS: '1' }).batchSizeFor('+14155550100')).toBe(1);
    });

    it('should size a slower sender lane by its own MPS', () => {
      const p = plan({ PLIVO_MPS: '100', PLIVO_SENDER_MPS: 'MyBrand=2' });
      expect(p.batchSizeFor('MyBrand')).toBe(20);
      expect(p.batchSizeFor('+14155550100')).toBe(1000);
    });
  });

  describe('with an account MPS cap', () => {
    it("should add the account's own lane at its MPS, never above PLIVO_MPS", () => {
      const p = plan({ PLIVO_MPS: '100', DISPATCH_LEAD_SECONDS: '10' });
      const capped = { accountId: 'acc-1', mps: 2 };
      expect(p.keysFor('+14155550100', capped).map((k) => [k.key, k.limits.mps])).toEqual([
        ['account:MA1', 100],
        ['tenant:MA1:acc-1', 2],
      ]);
      expect(p.laneMps('+14155550100', capped)).toBe(2);
      expect(p.batchSizeFor('+14155550100', capped)).toBe(20);
      expect(p.laneMps('+14155550100', { accountId: 'acc-1', mps: 500 })).toBe(100);
      expect(p.keysFor('+14155550100', { accountId: 'acc-1', mps: null }).map((k) => k.key)).toEqual(['account:MA1']);
    });
  });

  describe('keysFor', () => {
    it('should keep each lane at most the lead, and never near message_expiry', () => {
      const p = plan({ PLIVO_MPS: '100', PLIVO_SENDER_MPS: 'MyBrand=2', DISPATCH_LEAD_SECONDS: '10' });
      expect(p.keysFor('MyBrand').map((k) => [k.key, k.limits.mps, k.limits.maxQueueMs])).toEqual([
        ['account:MA1', 100, 10_000],
        ['sender:MA1:MyBrand', 2, 10_000],
      ]);
      const short = plan({ DISPATCH_LEAD_SECONDS: '10', PLIVO_MESSAGE_EXPIRY_SECONDS: '11' });
      expect(short.keysFor('+14155550100')[0].limits.maxQueueMs).toBe(8_800);
      expect(short.batchSizeFor('+14155550100')).toBe(44); // 5 MPS x 8.8 s
    });
  });
});
