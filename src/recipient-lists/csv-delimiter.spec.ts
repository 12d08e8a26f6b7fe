import { detectCsvDelimiter } from './csv-delimiter';

describe(detectCsvDelimiter.name, () => {
  it.each([
    ['a comma', 'name,phone\nAda;Lovelace,+447400123456\n', ','],
    ['a semicolon', 'Name;Mobile\nAda;+447400123456\n', ';'],
    ['a tab', 'Name\tMobile\r\nAda\t+447400123456\r\n', '\t'],
    ['the first one outside quotes', '"Name, full";Mobile\n', ';'],
    ['a comma for one column', 'phone\n+447400123456;x\n', ','],
    ['a comma for a header whose only line break is quoted', '"pho\nne"\n', ','],
  ])('should take %s from the header line', (_, text, delimiter) => {
    expect(detectCsvDelimiter(text)).toBe(delimiter);
  });
});
