import { parseCli } from '../cli-args';
import { ExportProgress } from './export.command';

describe('export command', () => {
  const environment = { env: {}, readKeyFile: () => undefined };

  it('should parse statuses, format, BOM and output file', () => {
    expect(
      parseCli(
        [
          'export',
          'c1',
          '--status',
          'delivered,failed',
          '--status',
          'UNDELIVERED',
          '--format',
          'ndjson',
          '--bom',
          '--out',
          'x.ndjson',
        ],
        environment,
      ).command,
    ).toEqual({
      name: 'export',
      options: {
        campaignId: 'c1',
        statuses: ['DELIVERED', 'FAILED', 'UNDELIVERED'],
        format: 'ndjson',
        bom: true,
        out: 'x.ndjson',
      },
    });
    expect(parseCli(['export', 'c1'], environment).command).toMatchObject({
      options: { format: 'csv', statuses: [], bom: false, out: undefined },
    });
  });

  it('should refuse an unknown format and a missing campaign id', () => {
    expect(() => parseCli(['export', 'c1', '--format', 'xlsx'], environment)).toThrow(/--format must be csv or ndjson/);
    expect(() => parseCli(['export'], environment)).toThrow(/exactly one campaign id/);
  });

  it('should draw rows against the total, not counting the CSV header beyond it', () => {
    const written: string[] = [];
    let now = 0;
    const progress = new ExportProgress({ isTTY: false, write: (t) => written.push(t) > 0 }, 4, () => now);
    now = 1000;
    progress.add(3);
    expect(written.at(-1)).toBe(`[${'#'.repeat(23)}${'-'.repeat(7)}] 75% 3/4 rows\n`);
    progress.add(2);
    expect(progress.render(10)).toBe('[##########] 100% 4/4 rows');
  });
});
