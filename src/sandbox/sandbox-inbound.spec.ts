import { strictMock } from '../../test/factories/dispatch.factory';
import { CallbackJob, SandboxCallbackDispatcher } from './sandbox-callbacks';
import { SandboxInbound } from './sandbox-inbound';
import { SandboxMessage } from './sandbox-message';
import { SandboxScheduler } from './sandbox-scheduler';
import { defaultSandboxOptions, SandboxOptions } from './sandbox.options';

function setup(overrides: Partial<SandboxOptions>) {
  const options = defaultSandboxOptions({ inboundUrl: 'http://127.0.0.1:1/api/webhooks/plivo/inbound', ...overrides });
  const scheduler = strictMock<SandboxScheduler>();
  const dispatcher = strictMock<SandboxCallbackDispatcher>();
  const jobs: CallbackJob[] = [];
  dispatcher.enqueue.mockImplementation((job) => void jobs.push(job));
  const scheduled: Array<() => void> = [];
  scheduler.at.mockImplementation((due, run, arg) => void scheduled.push(() => run(arg, due)));
  return { sut: new SandboxInbound(() => options, scheduler, dispatcher), jobs, scheduled };
}

function delivered(to: string, nth = 0): SandboxMessage {
  return { to, nth, batch: { src: '14155550100' } } as unknown as SandboxMessage;
}

describe(SandboxInbound.name, () => {
  describe('send', () => {
    it("should post Plivo's inbound fields to the Message URL", () => {
      const { sut, jobs } = setup({});
      const message = sut.send('+447400000001', '14155550100', 'STOP', 1_000);
      expect(jobs.map((job) => ({ ...job, params: job.params() }))).toEqual([
        {
          url: 'http://127.0.0.1:1/api/webhooks/plivo/inbound',
          method: 'POST',
          attempt: 0,
          params: {
            From: '447400000001',
            MessageUUID: message.messageUuid,
            Text: 'STOP',
            To: '14155550100',
            TotalAmount: '0.00000',
            TotalRate: '0.00000',
            Type: 'sms',
            Units: '1',
          },
        },
      ]);
      expect(Object.keys(jobs[0].params())).toEqual([...Object.keys(jobs[0].params())].sort());
      expect(sut.received).toEqual([{ ...message, from: '+447400000001', postedAt: 1_000 }]);
    });

    it('should opt a STOP out at the carrier only when asked to', () => {
      const plain = setup({}).sut;
      plain.send('+447400000001', '14155550100', 'STOP', 0);
      expect(plain.optedOutAtCarrier('447400000001')).toBe(false);
      const carrier = setup({ carrierOptOutOnStop: true }).sut;
      carrier.send('+447400000001', '14155550100', 'stop', 0);
      expect(carrier.optedOutAtCarrier('447400000001')).toBe(true);
      expect(setup({ carrierOptOutNumbers: ['447400000002'] }).sut.optedOutAtCarrier('447400000002')).toBe(true);
    });
  });

  describe('afterDelivery', () => {
    it('should reply STOP at rate 1, once per number', () => {
      const { sut, jobs, scheduled } = setup({ inboundStopRate: 1 });
      sut.afterDelivery(delivered('447400000001'), 0);
      scheduled.splice(0).forEach((run) => run());
      sut.afterDelivery(delivered('447400000001', 1), 10);
      expect(scheduled).toHaveLength(0);
      expect(jobs.map((j) => j.params().Text)).toEqual(['STOP']);
    });

    it('should reply with the seeded mix of the rates', () => {
      const { sut, jobs, scheduled } = setup({ inboundStopRate: 0.05, inboundHelpRate: 0.05, inboundTextRate: 0.1 });
      for (let i = 0; i < 2000; i++) {
        sut.afterDelivery(delivered(String(447400000000 + i)), 0);
      }
      scheduled.forEach((run) => run());
      const count = (text: string) => jobs.filter((j) => j.params().Text === text).length;
      expect(count('STOP')).toBeGreaterThan(60);
      expect(count('STOP')).toBeLessThan(140);
      expect(count('HELP')).toBeGreaterThan(60);
      expect(count('HELP')).toBeLessThan(140);
      expect(jobs.length).toBeGreaterThan(300);
      expect(jobs.length).toBeLessThan(500);
    });

    it('should stay silent when every rate is 0', () => {
      const { sut, scheduled } = setup({});
      sut.afterDelivery(delivered('447400000001'), 0);
      expect(scheduled).toHaveLength(0);
    });
  });
});
