import type { NextFunction, Request, Response } from 'express';
import { MetricsService } from '../metrics/metrics.service';
import { bulkRecipientsMiddleware, inputIsOnlyABulkInput, withBulkRecipients } from './bulk-recipients';

const MAX_TOKENS = 5_000;

describe(inputIsOnlyABulkInput.name, () => {
  it.each([
    ['sendBulk', 'mutation($input: SendBulkInput!) { sendBulk(input: $input) { id } }'],
    ['quote', 'query Q($input: QuoteInput!) { quote(input: $input) { recipients } }'],
    [
      'two sendBulk fields',
      'mutation($input: SendBulkInput!) { a: sendBulk(input: $input) { id } b: sendBulk(input: $input) { id } }',
    ],
    [
      'a fragment',
      'mutation($input: SendBulkInput!) { ...Send } fragment Send on Mutation { sendBulk(input: $input) { id } }',
    ],
    [
      'other arguments beside',
      'mutation($input: SendBulkInput!, $x: ID!) { sendBulk(input: $input) { id } cancelCampaign(id: $x) { id } }',
    ],
  ])('should hold for %s', (_case, query) => {
    expect(inputIsOnlyABulkInput(query, MAX_TOKENS)).toBe(true);
  });

  it.each([
    [
      'a bulk field with an input of its own',
      'query($input: QuoteInput!) { a: quote(input: $input) { recipients } b: quote(input: { text: "x", recipients: ["+1"] }) { recipients } }',
    ],
    [
      '$input given to another argument too',
      'query($input: QuoteInput!) { quote(input: $input) { recipients } other: quote(input: { text: "x", recipients: [], sendWindow: $input }) { recipients } }',
    ],
    [
      '$input inside an object value',
      'query($input: QuoteInput!) { quote(input: { text: "x", recipients: $input }) { recipients } }',
    ],
    ['another variable as the input', 'mutation($list: SendBulkInput!) { sendBulk(input: $list) { id } }'],
    ['no bulk field', 'query($input: ID!) { campaign(id: $input) { id } }'],
    ['a syntax error', 'mutation($input: SendBulkInput!) { sendBulk(input: $input) { id }'],
  ])('should not hold for %s', (_case, query) => {
    expect(inputIsOnlyABulkInput(query, MAX_TOKENS)).toBe(false);
  });

  it('should not hold for a document over the token limit', () => {
    const query = 'mutation($input: SendBulkInput!) { sendBulk(input: $input) { id } }';
    expect(inputIsOnlyABulkInput(query, 5)).toBe(false);
  });
});

describe(bulkRecipientsMiddleware.name, () => {
  const packed = { text: '+14155550100+14155550101+14155550102', ends: new Uint32Array([12, 24, 36]) };
  const numbers = ['+14155550100', '+14155550101', '+14155550102'];

  async function run(query: string) {
    const metrics = new MetricsService();
    const req = {
      body: { query, variables: { input: { recipients: [], text: 'x' } } },
      packedRecipients: packed,
    } as unknown as Request & { bulkRecipients?: string[]; packedRecipients?: unknown };
    const failure = await new Promise<unknown>((resolve) =>
      bulkRecipientsMiddleware(MAX_TOKENS, metrics)(req, {} as Response, resolve as NextFunction),
    );
    expect(failure).toBeUndefined();
    const counted = (await metrics.largeJsonBodies.get()).values.map((v) => [v.labels.parsed, v.value]);
    return { req, counted };
  }

  it('should give the resolver the whole list and GraphQL the first recipient when only a bulk field takes $input', async () => {
    const { req, counted } = await run('mutation($input: SendBulkInput!) { sendBulk(input: $input) { id } }');
    expect(req.bulkRecipients).toEqual(numbers);
    expect((req.body as { variables: { input: { recipients: string[] } } }).variables.input.recipients).toEqual([
      numbers[0],
    ]);
    expect(req.packedRecipients).toBeUndefined();
    expect(counted).toEqual([['worker', 1]]);
    expect(withBulkRecipients({ recipients: [numbers[0]] }, req).recipients).toEqual(numbers);
  });

  it('should put the whole list back in the variables for any other document', async () => {
    const { req, counted } = await run('query($input: ID!) { campaign(id: $input) { id } }');
    expect(req.bulkRecipients).toBeUndefined();
    expect((req.body as { variables: { input: { recipients: string[] } } }).variables.input.recipients).toEqual(
      numbers,
    );
    expect(counted).toEqual([['worker_in_variables', 1]]);
    expect(withBulkRecipients({ recipients: ['+1'] }, req).recipients).toEqual(['+1']);
  });
});
