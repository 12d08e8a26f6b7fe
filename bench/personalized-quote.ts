/*
 * Personalized against plain quote, at one size (default 1,000,000): the same numbers quoted once as a
 * `recipients` array (validated in the quote) and once as an uploaded list (validated at upload) with a
 * template over its `name` field, which gives 1,000 distinct texts. The list is written straight into a fresh
 * PostgreSQL database through the service's repository; both quotes run through PricingService with the
 * prices cached, alternating (BENCH_ROUNDS). The plain quote is the floor: the goal is a ratio under 2.
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { Clock } from '../src/common/time/clock';
import { validateRecipients } from '../src/messaging/recipient-validator';
import { applyMigrations } from '../src/persistence/migrator';
import { PrismaService } from '../src/persistence/prisma.service';
import { RecipientListEntryRepository } from '../src/persistence/recipient-list-entry.repository';
import { RecipientListRepository } from '../src/persistence/recipient-list.repository';
import type { PricingService } from '../src/pricing/pricing.service';
import { BENCH_ROUNDS, BenchResult, roundTo, withFloor } from './bench-result';
import { sql } from './bench-sql';
import { generateNumbers } from './recipient-validation';

const ADMIN_URL = process.env.BENCH_POSTGRES_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const DISTINCT_NAMES = 1_000;
const ENTRY_BATCH = 10_000;

export async function runPersonalizedQuoteBenchmark(
  makePricing: (prisma: PrismaService) => PricingService,
  size: number,
  text: string,
): Promise<BenchResult[]> {
  const name = `bulk_sms_bench_quote_${process.pid}`;
  await sql(ADMIN_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await sql(ADMIN_URL, `CREATE DATABASE "${name}"`);
  const databaseUrl = ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  await applyMigrations(databaseUrl);
  const prisma = new PrismaService(databaseUrl, 4);
  try {
    const inputs = generateNumbers(size);
    const { accountId, listId, recipients } = await storeList(prisma, databaseUrl, inputs);
    const pricing = makePricing(prisma);
    const plainInput = { text: `Hi there! ${text}`, recipients: inputs, smartEncoding: true };
    const listInput = {
      text: `Hi {{ name }}! ${text}`,
      recipients: [],
      recipientListId: listId,
      accountId,
      smartEncoding: true,
    };
    await pricing.quote({ ...plainInput, recipients: inputs.slice(0, 1_000) }); // prices fetched once
    const label = size.toLocaleString('en-US');
    const results: BenchResult[] = [];
    for (let round = 1; round <= BENCH_ROUNDS; round++) {
      let started = performance.now();
      const plain = await pricing.quote(plainInput);
      const plainSeconds = (performance.now() - started) / 1000;
      started = performance.now();
      const personalized = await pricing.quote(listInput);
      const personalizedSeconds = (performance.now() - started) / 1000;
      if (plain.recipients !== recipients || personalized.recipients !== recipients) {
        throw new Error(`expected ${recipients} recipients, got ${plain.recipients} and ${personalized.recipients}`);
      }
      if (personalized.distinctTexts !== DISTINCT_NAMES) {
        throw new Error(`expected ${DISTINCT_NAMES} distinct texts, got ${personalized.distinctTexts}`);
      }
      const load = loadavg()[0].toFixed(1);
      console.error(
        `quote ${label}, round ${round}: plain ${roundTo(plainSeconds, 2)} s, personalized ${roundTo(personalizedSeconds, 2)} s; load ${load}`,
      );
      results.push(
        withFloor(
          {
            name:
              `quote ${label} recipients, personalized (a list, ${DISTINCT_NAMES.toLocaleString('en-US')} distinct texts), ` +
              `run ${round} (load ${load}); floor: the plain quote of the same numbers`,
            value: roundTo(personalizedSeconds, 2),
            unit: 's',
            target: 'ratio < 2',
          },
          plainSeconds,
        ),
      );
    }
    return results;
  } finally {
    await prisma.$disconnect();
    await sql(ADMIN_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

/** The valid, distinct numbers of `inputs` as a READY list with fields name (1,000 values) and code. */
async function storeList(
  prisma: PrismaService,
  databaseUrl: string,
  inputs: string[],
): Promise<{ accountId: string; listId: string; recipients: number }> {
  const { valid } = await validateRecipients(inputs);
  const [{ id: accountId }] = await prisma.$queryRaw<Array<{ id: string }>>`
    INSERT INTO "Account" (id, name) VALUES (gen_random_uuid(), 'bench') RETURNING id`;
  const lists = new RecipientListRepository(prisma);
  const entries = new RecipientListEntryRepository(databaseUrl);
  const listId = randomUUID();
  const expiresAt = new Date(new Clock().now().getTime() + 3_600_000);
  await lists.create({
    id: listId,
    accountId,
    format: 'csv',
    phoneColumn: 'phone',
    fields: ['name', 'code'],
    expiresAt,
  });
  const countries: Record<string, number> = {};
  for (let start = 0; start < valid.phones.length; start += ENTRY_BATCH) {
    const slicePhones = valid.phones.slice(start, start + ENTRY_BATCH);
    const sliceCountries = valid.countries.slice(start, start + ENTRY_BATCH);
    sliceCountries.forEach((country) => (countries[country] = (countries[country] ?? 0) + 1));
    await entries.insert(listId, {
      firstPosition: start,
      rowBase: 0,
      rows: slicePhones.map((_, i) => start + i + 2).join(','),
      phones: slicePhones.join(','),
      countries: sliceCountries.join(','),
      values: JSON.stringify(
        slicePhones.map((_, i) => [`Name ${(start + i) % DISTINCT_NAMES}`, String((start + i) % 97)]),
      ),
    });
  }
  await entries.beforeApplicationShutdown();
  await lists.markReady(listId, {
    rowCount: valid.phones.length,
    validCount: valid.phones.length,
    duplicateCount: 0,
    rejectedCount: 0,
    rejectedRows: [],
    countries,
  });
  return { accountId, listId, recipients: valid.phones.length };
}
