import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import {
  CHROMIUM_PATH,
  openConsoleBrowser,
  seriousAccessibilityViolations,
  type ConsoleBrowser,
} from '../browser/console-browser';
import { gbNumbers } from '../utils/phone-numbers';
import { startTestApp, type TestApp } from '../utils/test-app';
import { TEST_DATABASES } from '../utils/test-databases';
import { scaledTimeout } from '../utils/time-factor';
import { waitFor } from '../utils/wait-for';

// 500 recipients at 50 MPS (batches of 50 a second, lead 1 s): about ten seconds of sending, long
// enough to pause in the middle and to see the bar move; the sandbox's clock runs 20 times faster.
const ENV = {
  PLIVO_MPS: '50',
  DISPATCH_LEAD_SECONDS: '1',
  DISPATCH_POLL_MS: '50',
  SANDBOX_TIME_SCALE: '0.05',
  SANDBOX_MPS: '50',
};
const RECIPIENTS = 500;
const CONSOLE_BUILT = path.resolve(__dirname, '..', '..', 'web', 'dist', 'index.html');

/** The campaign page's progress bar: how many messages are done, as the page shows it. */
async function progressDone(page: Page): Promise<number> {
  return Number(await page.getByRole('progressbar', { name: 'Campaign progress' }).getAttribute('aria-valuenow'));
}

async function expectAccessible(page: Page, where: string): Promise<void> {
  const violations = await seriousAccessibilityViolations(page);
  expect({ where, violations }).toEqual({ where, violations: [] });
}

describe.each(TEST_DATABASES)('web console, in a real browser (chromium), on %s', (database) => {
  let testApp: TestApp;
  let browser: ConsoleBrowser;
  let apiKey: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM_PATH)) {
      throw new Error(`${CHROMIUM_PATH} is missing: apt-get install -y chromium (.ci/run does)`);
    }
    if (!existsSync(CONSOLE_BUILT)) {
      throw new Error('web/dist is missing: npm run build (npm test builds it first)');
    }
    testApp = await startTestApp(database, ENV);
    ({ apiKey } = await testApp.newAccount());
    browser = await openConsoleBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await testApp?.close();
  });

  it('signs in, sends 500 recipients from an uploaded CSV, follows them live to COMPLETED through a pause and a resume, exports them, keeps the opt-out list, and signs out', async () => {
    const { page } = browser;
    page.setDefaultTimeout(scaledTimeout(10_000));

    // A wrong key is refused, and says so.
    await page.goto(testApp.baseUrl);
    await page.getByLabel('API key').fill('sk_not_a_real_key_000000000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('not valid');
    await expectAccessible(page, 'sign-in');
    await browser.screenshot(`${database}-01-sign-in-wrong-key`);

    // The right key: a session cookie (HttpOnly), and nothing of the key in the page's storage.
    await page.getByLabel('API key').fill(apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Campaigns' }).waitFor();
    const cookies = await browser.context.cookies(testApp.baseUrl);
    expect(cookies.find((c) => c.name === 'bulk_sms_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    const stored = await page.evaluate<string>(
      'JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })',
    );
    expect(stored).not.toContain(apiKey);

    // New campaign: a CSV file with a header, 500 numbers and one bad row, uploaded as a recipient list
    // (POST /api/recipient-lists) with the phone column chosen in the form.
    await page.getByRole('link', { name: 'New campaign' }).first().click();
    await page.getByRole('heading', { name: 'New campaign' }).waitFor();
    await page.getByLabel('CSV file').first().check();
    // GB numbers: UK carriers send delivery receipts (US ones do not, see NO_RECEIPT_COUNTRIES).
    const numbers = gbNumbers(RECIPIENTS, 4242);
    const csv = [
      'name,phone',
      ...numbers.slice(0, 100).map((n, i) => `Person ${i},${n}`),
      'Broken,12ab',
      ...numbers.slice(100).map((n, i) => `Person ${i + 100},${n}`),
    ].join('\n');
    await page
      .locator('input[type=file]')
      .setInputFiles({ name: 'recipients.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    const column = page.getByLabel('Column with the phone number');
    await expect(column.inputValue()).resolves.toBe('1');
    await page.getByText(`${RECIPIENTS} recipient(s) (recipients.csv, column "phone")`).waitFor();
    // Mapped to the wrong column, every row is refused by the server; mapped back, only the bad one.
    await column.selectOption('0');
    await page.getByRole('alert').filter({ hasText: 'Row 2: Person 0' }).waitFor();
    await column.selectOption('1');
    await page.getByText(`${RECIPIENTS} recipient(s) (recipients.csv, column "phone")`).waitFor();

    // A text with a field: the template preview renders the first rows in the browser.
    await page.getByLabel('Text').fill('Hello {{ name }} from the console – with a dash');
    await waitFor('the template preview of the first rows', async () =>
      (await page.locator('.preview li').allTextContents()).join('|') ===
      [0, 1, 2, 3, 4].map((i) => `Row ${i + 2}: Hello Person ${i} from the console – with a dash`).join('|'),
    );
    // The live counter: the en dash forces UCS-2 and is highlighted; smart encoding brings GSM-7 back.
    await page.getByText('UCS-2 ·').waitFor();
    await page.locator('.ucs2 mark').first().waitFor();
    await page.getByLabel(/Smart encoding/).check();
    await page.getByText(/characters · GSM-7 · 1 segment/).waitFor();
    await page.locator('[data-quote-total]').waitFor();

    // Quiet hours: a window the server refuses is named; an all-day one is quoted and sent.
    await page.getByLabel(/Quiet hours/).check();
    await page.getByLabel(/^Until/).fill('09:00');
    await page.getByRole('alert').filter({ hasText: 'sendWindow' }).waitFor();
    await page.getByLabel(/^From/).fill('00:00');
    await page.getByLabel(/^Until/).fill('24:00');
    // The quote per country, and the bad row named by its row number (row 102: header + 100 rows before it).
    await page.locator('[data-quote-total]').waitFor();
    await expect(page.locator('tfoot').textContent()).resolves.toContain(String(RECIPIENTS));
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/Row 102: 12ab/);
    await expectAccessible(page, 'new campaign');
    await browser.screenshot(`${database}-02-new-campaign`);

    const sent: Array<Record<string, unknown>> = [];
    page.on('request', (request) => {
      const body = request.url().endsWith('/graphql') ? request.postData() : null;
      if (body?.includes('mutation SendBulk')) {
        sent.push((JSON.parse(body) as { variables: { input: Record<string, unknown> } }).variables.input);
      }
    });
    await page.getByRole('button', { name: 'Review and send…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Send now' }).click();
    await page.getByRole('heading', { name: 'Progress' }).waitFor();
    const campaignUrl = page.url();
    // Sent by the list's id, with the window.
    expect(sent).toEqual([
      expect.objectContaining({
        recipients: [],
        recipientListId: expect.any(String),
        sendWindow: { start: '00:00', end: '24:00', days: null },
        text: 'Hello {{ name }} from the console – with a dash',
      }),
    ]);

    // Pause while it sends: confirmed in a dialog, then the badge says PAUSED (no reload).
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Pause' }).click();
    await page.locator('.page-head .badge', { hasText: 'PAUSED' }).waitFor({ timeout: scaledTimeout(15_000) });
    await expect(page.locator('#latency-note').textContent()).resolves.toContain('already claimed');
    const doneWhilePaused = await progressDone(page);
    expect(doneWhilePaused).toBeLessThan(RECIPIENTS);
    await browser.screenshot(`${database}-03-campaign-paused`);

    // Resume with a new budget; the bar moves through several values to COMPLETED, live.
    await page.getByRole('button', { name: 'Resume…' }).click();
    await page
      .getByRole('dialog')
      .getByLabel(/New budget/)
      .fill('100');
    await page.getByRole('dialog').getByRole('button', { name: 'Resume' }).click();
    const seen = new Set<number>([doneWhilePaused]);
    await waitFor(
      'the campaign page to show COMPLETED',
      async () => {
        seen.add(await progressDone(page));
        return (await page.locator('.page-head .badge').textContent()) === 'COMPLETED';
      },
      60_000,
    );
    expect(await progressDone(page)).toBe(RECIPIENTS);
    expect(seen.size).toBeGreaterThan(2);
    expect(page.url()).toBe(campaignUrl);
    // The chart got points from the subscription: its caption reads the last one.
    await waitFor('the chart to show deliveries', async () =>
      /[1-9]\d* delivered/.test((await page.locator('.chart figcaption').textContent()) ?? ''),
    );
    await expect(page.locator('[data-counter="delivered"]').textContent()).resolves.toMatch(/^[1-9]/);
    await page.locator('#cost-title ~ .table-wrap tbody tr').first().waitFor();
    await expectAccessible(page, 'campaign');
    await browser.screenshot(`${database}-04-campaign-completed`);

    // The messages table pages on the server, 25 rows at a time, and filters by status.
    expect(await page.locator('table.messages tbody tr').count()).toBe(25);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText(/page 2\./).waitFor();
    await page
      .getByRole('combobox', { name: /^Status/ })
      .last()
      .selectOption('DELIVERED');
    await page.getByText(/message\(s\) DELIVERED; page 1\./).waitFor();
    // Search by number (the server's messages(to:)), spaces and all.
    await page
      .getByRole('combobox', { name: /^Status/ })
      .last()
      .selectOption('');
    const wanted = numbers[7];
    await page.getByLabel('Phone number (E.164)').fill(`${wanted.slice(0, 3)} ${wanted.slice(3)}`);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText(/^1 message\(s\) to/).waitFor();
    await expect(page.locator('table.messages tbody tr').allTextContents()).resolves.toEqual([
      expect.stringContaining(wanted),
    ]);

    // Export: the page's link downloads the campaign as CSV, a header and one row per recipient.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`campaign-${campaignUrl.split('/').pop()}.csv`);
    const exported = readFileSync(await download.path(), 'utf8').trimEnd().split('\n');
    expect(exported[0]).toMatch(/^[a-z_]+(,[a-z_]+)+$/);
    expect(exported).toHaveLength(RECIPIENTS + 1);
    expect(exported.filter((line) => line.includes(numbers[7]))).toHaveLength(1);

    // At a phone's width the page does not scroll sideways (wide tables scroll inside their box).
    await page.setViewportSize({ width: 390, height: 844 });
    await browser.screenshot(`${database}-05-campaign-phone`);
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(1);
    await page.setViewportSize({ width: 1280, height: 800 });

    // The list shows it COMPLETED with a full bar.
    await page.getByRole('link', { name: 'Campaigns' }).first().click();
    const row = page.locator('table.campaigns tbody tr').first();
    await row.locator('.badge', { hasText: 'COMPLETED' }).waitFor();
    await expect(row.getByRole('progressbar').getAttribute('aria-valuenow')).resolves.toBe(String(RECIPIENTS));
    await expectAccessible(page, 'campaigns');
    await browser.screenshot(`${database}-06-campaigns`);

    // Opt-outs: add by hand, import a CSV (its bad row named by row number), search, remove (by keyboard), export.
    await page.getByRole('link', { name: 'Opt-outs' }).click();
    await page.getByRole('heading', { name: 'Opt-outs' }).waitFor();
    await page.getByLabel('Numbers to add, one per line').fill(`${numbers[0]}\n${numbers[1]}`);
    await page.getByLabel(/^Reason/).fill('asked by phone');
    await page.getByRole('button', { name: 'Add to the list' }).click();
    await page.getByRole('status').filter({ hasText: 'Added: 2 added, 0 already on the list.' }).waitFor();
    await page
      .getByLabel(/^Import a CSV file/)
      .setInputFiles({
        name: 'opt-outs.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(`phone\n${numbers[2]}\n${numbers[3]}\nnot-a-number\n${numbers[0]}\n`),
      });
    await page.getByRole('status').filter({ hasText: 'Imported opt-outs.csv: 2 added, 1 already on the list' }).waitFor();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/Row 4: not-a-number/);
    await page.getByText('4 number(s); page 1.').waitFor();
    await expectAccessible(page, 'opt-outs');
    await browser.screenshot(`${database}-07-opt-outs`);

    await page.getByLabel(/^Search numbers/).fill(numbers[3].slice(1));
    await page.getByLabel(/^Search numbers/).press('Enter');
    await page.getByText(`1 number(s) matching ${numbers[3].slice(1)}; page 1.`).waitFor();
    await expect(page.locator('table.suppressions tbody tr').allTextContents()).resolves.toEqual([
      expect.stringContaining(numbers[3]),
    ]);
    await page.getByRole('button', { name: `Remove ${numbers[3]}` }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('status').filter({ hasText: `${numbers[3]} can receive messages again.` }).waitFor();
    await page.getByText(`0 number(s) matching ${numbers[3].slice(1)}; page 1.`).waitFor();
    await page.getByLabel(/^Search numbers/).fill('');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('3 number(s); page 1.').waitFor();
    const [optOutsFile] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(optOutsFile.suggestedFilename()).toBe('opt-outs.csv');
    const optOuts = readFileSync(await optOutsFile.path(), 'utf8').trimEnd().split('\r\n');
    expect(optOuts[0]).toBe('phone,source,reason,campaignId,createdAt');
    expect(optOuts.slice(1).map((line) => line.split(',').slice(0, 3).join(',')).sort()).toEqual(
      [
        `${numbers[0]},API,asked by phone`,
        `${numbers[1]},API,asked by phone`,
        `${numbers[2]},CSV_IMPORT,asked by phone`,
      ].sort(),
    );

    // Sign out: back to sign-in, and the old cookie no longer opens GraphQL.
    const [session] = (await browser.context.cookies(testApp.baseUrl)).filter((c) => c.name === 'bulk_sms_session');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    const afterSignOut = await fetch(`${testApp.baseUrl}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-console-request': '1',
        cookie: `bulk_sms_session=${session.value}`,
      },
      body: JSON.stringify({ query: '{ campaigns { edges { node { id } } } }' }),
    });
    expect(afterSignOut.status).toBe(401);
  });
});
