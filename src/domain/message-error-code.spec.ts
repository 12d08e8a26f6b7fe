import { errorMeaning, knownErrorMeanings, SubmissionErrorCode } from './message-error-code';

describe('errorMeaning', () => {
  it.each([
    [SubmissionErrorCode.REFUSED, /^not sent: the SMS provider refused the batch/],
    [SubmissionErrorCode.FAILED, /^not sent: .*retries ran out/],
    [SubmissionErrorCode.UNCONFIRMED, /^not sent: the SMS provider never confirmed it had the batch/],
    [SubmissionErrorCode.INVALID_NUMBER, /^not sent: the SMS provider called the number invalid/],
  ])('should say that a message the service failed with %s was not sent, and why', (code, meaning) => {
    expect(errorMeaning(code)).toMatch(meaning);
    // Normalised as the export normalises a stored code.
    expect(errorMeaning(` ${code}\n`)).toBe(errorMeaning(code));
  });

  it("should give Plivo's meaning for Plivo's codes, and name an unknown code", () => {
    expect(errorMeaning('0200')).toBe('source number blocked by STOP from the destination (opt-out)');
    expect(errorMeaning('submission_other')).toBe('unknown error code submission_other');
    expect(errorMeaning('constructor')).toBe('unknown error code constructor');
  });

  it.each(['000', '', null, undefined])('should give null for no error (%p)', (code) => {
    expect(errorMeaning(code)).toBeNull();
  });
});

describe('knownErrorMeanings', () => {
  it('should list every code errorMeaning knows, once, with its meaning', () => {
    const known = knownErrorMeanings();

    expect(new Set(known.map((entry) => entry.code)).size).toBe(known.length);
    for (const code of [...Object.values(SubmissionErrorCode), '200', '1000']) {
      expect(known).toContainEqual({ code, meaning: errorMeaning(code) });
    }
  });
});
