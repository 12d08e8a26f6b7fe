import { flattenParams, signedBodyParams } from './webhook-body';

describe(flattenParams.name, () => {
  it('should keep the first value of a repeated field', () => {
    expect(flattenParams({ Status: ['delivered', 'sent'], To: '14155550100' })).toEqual({
      Status: 'delivered',
      To: '14155550100',
    });
  });

  it('should make names and values storable, after the signature was checked over them as received', () => {
    const signed = signedBodyParams(Buffer.from('PartInfo=1%20of%201%00&Odd%00Name=x&Text=%F0%9F%98%80'), undefined);
    expect(signed).toEqual({ PartInfo: '1 of 1\u0000', 'Odd\u0000Name': 'x', Text: '😀' });
    expect(flattenParams(signed)).toEqual({ PartInfo: '1 of 1\uFFFD', 'Odd\uFFFDName': 'x', Text: '😀' });
    expect(flattenParams({ Text: 'cut \ud83d' })).toEqual({ Text: 'cut \uFFFD' });
  });
});

describe(signedBodyParams.name, () => {
  it('should read a JSON body whose fields nest deeper than 32 levels as no fields, which no signature matches', () => {
    const deep = (levels: number) => Buffer.from(`{"MessageUUID":"x","a":${'['.repeat(levels)}${']'.repeat(levels)}}`);
    expect(signedBodyParams(deep(20_000), 'application/json')).toEqual({});
    expect(signedBodyParams(deep(32), 'application/json')).toEqual({
      MessageUUID: 'x',
      a: `${'['.repeat(32)}${']'.repeat(32)}`,
    });
  });
});
