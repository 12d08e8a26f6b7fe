import { firstLineNotUtf8, isUtf8QueryString } from './utf8';

describe('firstLineNotUtf8', () => {
  it('should give null for UTF-8, accents, emoji and an empty input included', () => {
    expect(firstLineNotUtf8(Buffer.from('phone,name\n+447400123456,Grüße 👋\n'))).toBeNull();
    expect(firstLineNotUtf8(new Uint8Array(0))).toBeNull();
  });

  it('should name the line of the first byte that is not UTF-8 (Latin-1, a cut sequence, an overlong form)', () => {
    const latin1 = Buffer.from('phone,name\n+447400123456,ok\n+447400123457,Gr\xfc\xdfe\n', 'latin1');
    expect(firstLineNotUtf8(latin1)).toBe(3);
    expect(firstLineNotUtf8(Buffer.from([0x61, 0x0a, 0x62, 0xe2, 0x82]))).toBe(2);
    expect(firstLineNotUtf8(Buffer.from([0xc0, 0xaf, 0x0a]))).toBe(1);
  });
});

describe('isUtf8QueryString', () => {
  it.each([
    ['text=Gr%C3%BC%C3%9Fe&defaultCountry=GB', true],
    ['text=hello+world', true],
    ['', true],
    ['text=a%FFb', false],
    ['name=ok&text=%E2%82', false],
    ['text=100%25+sure&x=%zz', true],
  ])('should tell whether %p decodes to UTF-8', (query, expected) => {
    expect(isUtf8QueryString(query)).toBe(expected);
  });
});
