import { ExportLookupBuilder } from './export-lookups';

const campaign = {
  id: 'c',
  encoding: 'UCS2',
  segmentsPerMessage: 3,
  currency: 'USD',
  estimatedCostByCountry: [
    { country: 'GB', pricePerSegment: '0.04' },
    { country: 'US', pricePerSegment: '0.000015' },
  ],
};

describe(ExportLookupBuilder.name, () => {
  it("should give the campaign's figures, the per-country estimate for its segments and every error meaning", () => {
    const lookups = new ExportLookupBuilder(campaign).forPage();

    expect(lookups).toEqual(
      expect.objectContaining({ segmentsPerMessage: 3, encoding: 'UCS2', currency: 'USD', batches: [] }),
    );
    // Price per segment × segments, to 5 decimals, half up.
    expect(lookups.estimates).toEqual([
      { country: 'GB', segments: 3, cost: '0.12000' },
      { country: 'US', segments: 3, cost: '0.00005' },
    ]);
    expect(lookups.errorMeanings).toContainEqual({
      code: '200',
      meaning: 'source number blocked by STOP from the destination (opt-out)',
    });
    // The service's own codes too, not "unknown error code submission_refused".
    expect(lookups.errorMeanings).toContainEqual({
      code: 'submission_refused',
      meaning: expect.stringMatching(/^not sent: the SMS provider refused the batch/),
    });
  });

  it("should count each batch's rendered text, and estimate its segment counts too", () => {
    const lookups = new ExportLookupBuilder(campaign).forPage(
      new Map([
        ['b1', 'Hi Ada'],
        ['b2', `Привет ${'я'.repeat(70)}`],
      ]),
    );

    expect(lookups.batches).toEqual([
      { id: 'b1', segments: 1, encoding: 'GSM7' },
      { id: 'b2', segments: 2, encoding: 'UCS2' },
    ]);
    expect(lookups.estimates.filter((estimate) => estimate.country === 'GB')).toEqual([
      { country: 'GB', segments: 3, cost: '0.12000' },
      { country: 'GB', segments: 1, cost: '0.04000' },
      { country: 'GB', segments: 2, cost: '0.08000' },
    ]);
  });
});
