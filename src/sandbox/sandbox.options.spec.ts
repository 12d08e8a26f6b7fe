import {
  parseSandboxOptions,
  SANDBOX_STANDALONE_AUTH_ID,
  SANDBOX_STANDALONE_AUTH_TOKEN,
  validateRuntimeConfig,
} from './sandbox.options';

describe(parseSandboxOptions.name, () => {
  it('should give documented standalone defaults', () => {
    const { options, errors } = parseSandboxOptions({});

    expect(errors).toEqual([]);
    expect(options).toEqual(
      expect.objectContaining({
        port: 4010,
        authId: SANDBOX_STANDALONE_AUTH_ID,
        authToken: SANDBOX_STANDALONE_AUTH_TOKEN,
        webhookSecret: SANDBOX_STANDALONE_AUTH_TOKEN,
        mps: 5,
        timeScale: 1,
        rateLimitRequests: 300,
        rateLimitWindowMs: 5000,
        maxConcurrentRequests: 100,
        noReceiptCountries: ['US', 'CA'],
        callbackRetryDelaysMs: [60_000, 120_000, 240_000],
        callbackTimeoutMs: 8000,
        creditUsd: null,
      }),
    );
  });

  it('should read every kind of variable', () => {
    const { options } = parseSandboxOptions({
      SANDBOX_PORT: '0',
      SANDBOX_AUTH_TOKEN: 'my-token',
      SANDBOX_TIME_SCALE: '0.001',
      SANDBOX_MPS_TOLL_FREE: '25',
      SANDBOX_COUNTRIES: 'us, gb',
      SANDBOX_OUTCOMES: 'delivered:0.9,failed:0.1',
      SANDBOX_COUNTRY_OUTCOMES: 'in:failed:0.6, GB:undelivered:0.25',
      SANDBOX_CALLBACK_RETRY_DELAYS_MS: '10,20',
      SANDBOX_RESET_MODE: 'before',
      SANDBOX_CREDIT_USD: '12.5',
      SANDBOX_STORM_DURATION_MS: '1000',
    });

    expect(options).toEqual(
      expect.objectContaining({
        port: 0,
        authToken: 'my-token',
        webhookSecret: 'my-token',
        countryOutcomes: { IN: { status: 'failed', rate: 0.6 }, GB: { status: 'undelivered', rate: 0.25 } },
        timeScale: 0.001,
        mpsBySenderType: { toll_free: 25 },
        countries: ['US', 'GB'],
        outcomes: { delivered: 0.9, undelivered: 0, failed: 0.1, rejected: 0 },
        callbackRetryDelaysMs: [10, 20],
        resetMode: 'before',
        creditUsd: 12.5,
        stormDurationMs: 1000,
      }),
    );
  });

  it('should list every problem at once', () => {
    const { options, errors } = parseSandboxOptions({
      SANDBOX_PORT: '70000',
      SANDBOX_MPS: 'fast',
      SANDBOX_ERROR_RATE: '0.7',
      SANDBOX_TIMEOUT_RATE: '0.7',
      SANDBOX_RESET_MODE: 'sometimes',
      SANDBOX_OUTCOMES: 'delivered:0',
      SANDBOX_COUNTRIES: 'USA',
    });

    expect(options).toBeUndefined();
    expect(errors).toHaveLength(6);
    expect(errors.join('\n')).toMatch(
      /SANDBOX_PORT.*SANDBOX_MPS.*SANDBOX_COUNTRIES.*SANDBOX_OUTCOMES.*SANDBOX_RESET_MODE.*errorRate \+ timeoutRate/s,
    );
  });
});

describe(validateRuntimeConfig.name, () => {
  it('should reject unknown keys and out-of-range values', () => {
    expect(validateRuntimeConfig({ errorStatus: 200, creditUsd: -1, callbackRetryDelaysMs: [-1] })).toHaveLength(3);
    expect(validateRuntimeConfig({ bogus: 1 } as never)).toEqual(['unknown sandbox setting: bogus']);
    expect(validateRuntimeConfig({ mps: 10, errorRate: 0.5 })).toEqual([]);
  });
});
