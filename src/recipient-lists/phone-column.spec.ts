import { UserInputError } from '../common/errors/domain-error';
import { checkHeader, resolvePhoneColumn } from './phone-column';

describe(resolvePhoneColumn.name, () => {
  it('should take the requested column by name, else by 1-based number', () => {
    expect(resolvePhoneColumn(['name', 'cell', 'x'], 'cell')).toBe(1);
    expect(resolvePhoneColumn(['name', 'cell', 'x'], '3')).toBe(2);
    // A header named like a number wins over the column number.
    expect(resolvePhoneColumn(['1', 'b'], '1')).toBe(0);
  });

  it('should detect the one obvious phone column, or the only column', () => {
    expect(resolvePhoneColumn(['Name', 'Mobile Number', 'Party'])).toBe(1);
    expect(resolvePhoneColumn(['first_name', 'phone_number'])).toBe(1);
    expect(resolvePhoneColumn(['whatever'])).toBe(0);
  });

  it('should refuse an unknown, ambiguous or undetectable column, listing the columns', () => {
    expect(() => resolvePhoneColumn(['a', 'b'], 'c')).toThrow(
      'phoneColumn: no column "c"; the columns are "a" (1), "b" (2)',
    );
    expect(() => resolvePhoneColumn(['a', 'b'], '3')).toThrow(UserInputError);
    expect(() => resolvePhoneColumn(['phone', 'mobile'])).toThrow(/several columns could hold the phone number/);
    expect(() => resolvePhoneColumn(['a', 'b'])).toThrow(/no column is obviously the phone number/);
  });
});

describe(checkHeader.name, () => {
  it('should refuse empty and repeated column names', () => {
    expect(() => checkHeader(['phone', ''])).toThrow('header: column 2 has no name; every column needs a header');
    expect(() => checkHeader(['phone', 'a', 'a'])).toThrow('header: column "a" appears twice');
    expect(() => checkHeader(['phone', 'a'])).not.toThrow();
  });

  it('should refuse a column name the database cannot store', () => {
    expect(() => checkHeader(['phone', 'na\u0000me'])).toThrow(
      "header: column 2's name contains a NUL byte or an unpaired surrogate",
    );
    expect(() => checkHeader(['\ud800', 'phone'])).toThrow(/column 1's name/);
  });
});
