import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DispatcherWakeup } from '../../src/messaging/dispatcher-wakeup';
import { PrismaService } from '../../src/persistence/prisma.service';
import { WindowClock } from '../../src/quiet-hours/window-clock';
import { PlivoSandbox } from '../../src/sandbox/sandbox';
import { graphql } from '../utils/graphql-client';
import { gbNumbers, waitFor } from '../utils/phone-numbers';
import { startTestApp, TestApp } from '../utils/test-app';
import { TEST_DATABASES } from '../utils/test-databases';

// Per-account quiet hours and brake thresholds (AccountSettings) over the service's SEND_WINDOW_*
// and BRAKE_*. No service-wide send window: any time, unless an account says otherwise.
// India fails at 5 % in the sandbox: under the service's 20 % (over at least 100 reports), over an
// account's 1 % (over at least 50).
const ENV = {
  PLIVO_MPS: '100',
  SANDBOX_MPS: '100',
  DISPATCH_LEAD_SECONDS: '1',
  DISPATCH_POLL_MS: '20',
  SANDBOX_TIME_SCALE: '0.001',
  SANDBOX_OUTCOMES: 'delivered:1',
  SANDBOX_COUNTRY_OUTCOMES: 'IN:failed:0.05',
  BRAKE_MIN_REPORTS: '100',
};
// Monday 16 March 2026, 12:00 UTC: noon in London.
const NOON_IN_LONDON = Date.UTC(2026, 2, 16, 12);
const indianNumbers = (count: number, offset: number): string[] =>
  Array.from({ length: count }, (_, i) => `+9198${String(30_000_000 + (offset + i) * 7919).slice(0, 8)}`);

const UPDATE_SETTINGS = `
  mutation($accountId: ID!, $input: UpdateAccountSettingsInput!) {
    updateAccountSettings(accountId: $accountId, input: $input) {
      sendWindowDefault { start end days }
      sendWindowCountries { country window { start end days } }
      brakeWindowReports brakeMinReports brakeFailureRate brakeOptOutRate
    }
  }`;

interface Progress {
  status: string;
  statusReason: string | null;
  waitingForWindow: number;
  heldByBrake: number;
  pending: number;
}

describe.each(TEST_DATABASES)('per-account send windows and brake thresholds on %s', (database) => {
  let testApp: TestApp;
  let prisma: PrismaService;
  let sandbox: PlivoSandbox;
  let admin: string;

  beforeAll(async () => {
    testApp = await startTestApp(database, ENV);
    prisma = testApp.app.get(PrismaService);
    sandbox = testApp.app.get(PlivoSandbox);
    testApp.app.get(WindowClock).now = () => new Date(NOON_IN_LONDON);
    testApp.app.get(DispatcherWakeup).wake();
    admin = readFileSync(path.join(testApp.dataDir, 'admin-api-key'), 'utf8').trim();
  });

  afterAll(async () => {
    await testApp.close();
  });

  const submitted = (numbers: string[]): number => numbers.filter((n) => sandbox.records.timesSubmitted(n) > 0).length;

  async function updateSettings(accountId: string, input: Record<string, unknown>) {
    return graphql<{ updateAccountSettings: Record<string, unknown> }>(testApp.baseUrl, admin, UPDATE_SETTINGS, {
      accountId,
      input,
    });
  }

  async function send(apiKey: string, input: Record<string, unknown>): Promise<{ id: string; progress: Progress }> {
    const sent = await graphql<{ sendBulk: { id: string; progress: Progress } }>(
      testApp.baseUrl,
      apiKey,
      `
        mutation ($input: SendBulkInput!) {
          sendBulk(input: $input) {
            id
            progress {
              status
              statusReason
              waitingForWindow
              heldByBrake
              pending
            }
          }
        }
      `,
      { input },
    );
    expect(sent.errors).toBeUndefined();
    return sent.data!.sendBulk;
  }

  async function progressOf(apiKey: string, id: string): Promise<Progress> {
    const read = await graphql<{ campaign: { progress: Progress } }>(
      testApp.baseUrl,
      apiKey,
      'query($id: ID!) { campaign(id: $id) { progress { status statusReason waitingForWindow heldByBrake pending } } }',
      { id },
    );
    expect(read.errors).toBeUndefined();
    return read.data!.campaign.progress;
  }

  it('should refuse bad settings with BAD_USER_INPUT naming the field, and keep what it had', async () => {
    const { accountId } = await testApp.newAccount();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ sendWindowDefault: { start: '9:00', end: '20:00' } }, 'sendWindowDefault.start'],
      [{ sendWindowDefault: { start: '09:00', end: '09:00' } }, 'sendWindowDefault'],
      [{ sendWindowCountries: [{ country: 'gb', window: null }] }, 'sendWindowCountries.0.country'],
      [
        {
          sendWindowCountries: [
            { country: 'GB', window: null },
            { country: 'GB', window: { start: '10:00', end: '11:00' } },
          ],
        },
        'sendWindowCountries',
      ],
      [{ brakeFailureRate: 1.5 }, 'brakeFailureRate'],
      [{ brakeWindowReports: 0 }, 'brakeWindowReports'],
      [{ brakeWindowReports: 40, brakeMinReports: 50 }, 'brakeMinReports'],
    ];
    for (const [input, field] of cases) {
      const response = await updateSettings(accountId, input);
      expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(response.errors?.[0]?.message).toMatch(new RegExp(`^${field.replace(/\./g, '\\.')}\\b`));
    }
    const settings = await graphql<{ accountSettings: Record<string, unknown> }>(
      testApp.baseUrl,
      admin,
      `
        query ($accountId: ID!) {
          accountSettings(accountId: $accountId) {
            sendWindowDefault {
              start
            }
            sendWindowCountries {
              country
            }
            brakeFailureRate
          }
        }
      `,
      { accountId },
    );
    expect(settings.data?.accountSettings).toEqual({
      sendWindowDefault: null,
      sendWindowCountries: [],
      brakeFailureRate: null,
    });
  });

  it("should hold the GB recipients of an account whose override closes GB now, and send another account's", async () => {
    const closed = await testApp.newAccount();
    const other = await testApp.newAccount();
    const updated = await updateSettings(closed.accountId, {
      sendWindowCountries: [{ country: 'GB', window: { start: '18:00', end: '21:00', days: ['MON', 'TUE'] } }],
    });
    expect(updated.errors).toBeUndefined();
    expect(updated.data!.updateAccountSettings).toMatchObject({
      sendWindowDefault: null,
      sendWindowCountries: [{ country: 'GB', window: { start: '18:00', end: '21:00', days: ['MON', 'TUE'] } }],
    });

    const heldNumbers = gbNumbers(40, 310_000);
    const otherNumbers = gbNumbers(40, 320_000);
    const explicitNumbers = gbNumbers(40, 330_000);
    const held = await send(closed.apiKey, { recipients: heldNumbers, text: 'account window' });
    const sentByOther = await send(other.apiKey, { recipients: otherNumbers, text: 'no account window' });
    // The campaign's own window still wins over the account's.
    const explicit = await send(closed.apiKey, {
      recipients: explicitNumbers,
      text: 'own window',
      sendWindow: { start: '09:00', end: '20:00' },
    });
    expect(held.progress.waitingForWindow).toBe(heldNumbers.length);
    expect(sentByOther.progress.waitingForWindow).toBe(0);
    expect(explicit.progress.waitingForWindow).toBe(0);

    await waitFor('the other account and the explicit window sent', async () => {
      const done = await Promise.all([
        progressOf(other.apiKey, sentByOther.id),
        progressOf(closed.apiKey, explicit.id),
      ]);
      return done.every((p) => p.pending === 0);
    });
    expect(submitted(otherNumbers)).toBe(otherNumbers.length);
    expect(submitted(explicitNumbers)).toBe(explicitNumbers.length);
    // Nothing of the held campaign was claimed while the others went: its batches still wait for 18:00.
    expect(await prisma.batch.count({ where: { campaignId: held.id, state: { not: 'PENDING' } } })).toBe(0);
    expect(submitted(heldNumbers)).toBe(0);
    expect(await progressOf(closed.apiKey, held.id)).toMatchObject({
      waitingForWindow: heldNumbers.length,
      pending: heldNumbers.length,
      heldByBrake: 0,
    });
  });

  it("should quote with the account's send window and default country, read once for both", async () => {
    const windowed = await testApp.newAccount();
    const other = await testApp.newAccount();
    const updated = await updateSettings(windowed.accountId, {
      sendWindowCountries: [{ country: 'US', window: { start: '09:00', end: '20:00' } }],
    });
    expect(updated.errors).toBeUndefined();
    const defaultCountry = await graphql(
      testApp.baseUrl,
      admin,
      `
        mutation ($accountId: ID!) {
          updateAccountSettings(accountId: $accountId, input: { defaultCountry: "US" }) {
            defaultCountry
          }
        }
      `,
      { accountId: windowed.accountId },
    );
    expect(defaultCountry.errors).toBeUndefined();
    // Toll-free numbers have no zone of their own: under a window the quote says their zone was assumed.
    // The national one is read in the account's default country.
    const recipients = ['+18005550100', '+18885550101', '(415) 555-0100'];
    const quote = async (apiKey: string) =>
      graphql<{ quote: { recipients: number; assumedTimeZoneRecipients: number; rejectedRecipients: unknown[] } }>(
        testApp.baseUrl,
        apiKey,
        'query($input: QuoteInput!) { quote(input: $input) { recipients assumedTimeZoneRecipients rejectedRecipients { input } } }',
        { input: { text: 'hi', recipients } },
      );
    const windowedQuote = await quote(windowed.apiKey);
    expect(windowedQuote.errors).toBeUndefined();
    expect(windowedQuote.data!.quote).toEqual({ recipients: 3, assumedTimeZoneRecipients: 2, rejectedRecipients: [] });
    const otherQuote = await quote(other.apiKey);
    expect(otherQuote.data!.quote).toEqual({
      recipients: 2,
      assumedTimeZoneRecipients: 0,
      rejectedRecipients: [{ input: '(415) 555-0100' }],
    });
  });

  it('should trip the brake for an account with a stricter threshold where the service default does not', async () => {
    const strict = await testApp.newAccount();
    const lenient = await testApp.newAccount();
    const updated = await updateSettings(strict.accountId, { brakeFailureRate: 0.01, brakeMinReports: 50 });
    expect(updated.errors).toBeUndefined();
    expect(updated.data!.updateAccountSettings).toMatchObject({
      brakeFailureRate: 0.01,
      brakeMinReports: 50,
      brakeWindowReports: null,
      brakeOptOutRate: null,
    });

    // The brake only holds what is still waiting: the strict campaign is long enough (12 s at 100 MPS)
    // that its reports are applied while most of it waits, even on a slow machine.
    const strictNumbers = indianNumbers(1_200, 0);
    const lenientNumbers = indianNumbers(400, 1_200);
    const strictCampaign = await send(strict.apiKey, { recipients: strictNumbers, text: 'strict brake' });
    const lenientCampaign = await send(lenient.apiKey, { recipients: lenientNumbers, text: 'service brake' });

    const tripped = await waitFor('the strict account to trip', async () => {
      const now = await progressOf(strict.apiKey, strictCampaign.id);
      return now.statusReason?.startsWith('brake:') ? now : null;
    });
    expect(tripped.statusReason).toMatch(
      /^brake: IN: \d+(\.\d)? % failed or undelivered \(threshold 1\.0 %\): .* sent failed, .*top error codes /,
    );

    // The other account's campaign, with the same share of Indian failures, goes to the end.
    const finished = await waitFor('the lenient account to finish', async () => {
      const now = await progressOf(lenient.apiKey, lenientCampaign.id);
      return now.pending === 0 ? now : null;
    });
    expect(finished.statusReason).toBeNull();
    expect(finished.heldByBrake).toBe(0);
    expect(submitted(lenientNumbers)).toBe(lenientNumbers.length);
    expect(await prisma.campaignBrake.count({ where: { campaignId: lenientCampaign.id } })).toBe(0);
    expect(await prisma.campaignBrake.findMany({ where: { campaignId: strictCampaign.id } })).toEqual([
      expect.objectContaining({ country: 'IN', trips: 1, releasedAt: null }),
    ]);
    // The strict account's rest of India is held, not lost.
    await waitFor(
      'the strict campaign settled',
      async () => (await prisma.batch.count({ where: { campaignId: strictCampaign.id, state: 'SUBMITTING' } })) === 0,
    );
    const held = await progressOf(strict.apiKey, strictCampaign.id);
    expect(held.heldByBrake).toBeGreaterThan(0);
    expect(held.heldByBrake).toBe(strictNumbers.length - submitted(strictNumbers));
  });
});
