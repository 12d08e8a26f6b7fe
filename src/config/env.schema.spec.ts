import { AppConfig } from './app-config.service';
import { InvalidEnvironmentError, loadEnvironment, validateEnvironment } from './env.schema';

describe('validateEnvironment', () => {
  it('should accept an empty environment with the documented defaults (sandbox, PGlite, generated key)', () => {
    const { env, errors } = validateEnvironment({});
    expect(errors).toEqual([]);
    expect(env).toMatchObject({ PORT: 3000, DATA_DIR: './data', NODE_ENV: 'development', LOG_LEVEL: 'info' });
    expect(env?.DATABASE_URL).toBeUndefined();
    expect(env?.API_KEY).toBeUndefined();
  });

  it('should refuse some but not all Plivo variables, naming the missing ones', () => {
    const { errors } = validateEnvironment({
      PLIVO_AUTH_ID: 'MAXXXXXXXXXXXXXXXXXX',
      PLIVO_AUTH_TOKEN: 'token-token-token',
    });
    expect(errors).toEqual([expect.stringMatching(/all set .* or all unset .*missing: PLIVO_SENDER_ID/)]);
  });

  it('should accept all three Plivo variables', () => {
    const { errors } = validateEnvironment({
      PLIVO_AUTH_ID: 'MA1',
      PLIVO_AUTH_TOKEN: 'secret-token',
      PLIVO_SENDER_ID: '+14155550100',
    });
    expect(errors).toEqual([]);
  });

  it('should default DISPATCH_LEAD_SECONDS to 10 and refuse one that is not positive or over an hour', () => {
    expect(validateEnvironment({}).env?.DISPATCH_LEAD_SECONDS).toBe(10);
    expect(validateEnvironment({ DISPATCH_LEAD_SECONDS: '0' }).errors).toEqual([
      expect.stringMatching(/^DISPATCH_LEAD_SECONDS/),
    ]);
    expect(validateEnvironment({ DISPATCH_LEAD_SECONDS: '3601' }).errors).toEqual([
      expect.stringMatching(/^DISPATCH_LEAD_SECONDS/),
    ]);
  });

  it('should say a number is not a number, with what was given, rather than that it is out of range', () => {
    expect(validateEnvironment({ PORT: 'abc' }).errors).toEqual(['PORT must be an integer number (got "abc")']);
    expect(validateEnvironment({ PORT: '3740x' }).errors).toEqual(['PORT must be an integer number (got "3740x")']);
    expect(validateEnvironment({ GRAPHQL_MAX_DEPTH: 'x' }).errors).toEqual([
      'GRAPHQL_MAX_DEPTH must be an integer number (got "x")',
    ]);
    expect(validateEnvironment({ PORT: '70000' }).errors).toEqual(['PORT must not be greater than 65535']);
    // A secret is never echoed.
    expect(validateEnvironment({ ADMIN_API_KEY: 'short-secret' }).errors).toEqual([
      'ADMIN_API_KEY must be at least 16 characters long',
    ]);
  });

  it('should refuse production without API_KEY', () => {
    const { errors } = validateEnvironment({ NODE_ENV: 'production' });
    expect(errors).toEqual([expect.stringMatching(/^API_KEY is required when NODE_ENV=production/)]);
  });

  describe('production with a real Plivo account', () => {
    const production = {
      NODE_ENV: 'production',
      API_KEY: 'sk_production_key_0001',
      PLIVO_AUTH_ID: 'MAXXXXXXXXXXXXXXXXXX',
      PLIVO_AUTH_TOKEN: 'token-token-token',
      PLIVO_SENDER_ID: '+14155550100',
    };

    it('should refuse the embedded database and a missing API_BASE_URL, saying what to set', () => {
      const { errors } = validateEnvironment(production);
      expect(errors).toEqual([
        expect.stringMatching(/^DATABASE_URL is required .* set ALLOW_EMBEDDED_DB=true to run on it anyway$/),
        expect.stringMatching(/^API_BASE_URL is required .* which Plivo calls back with delivery reports$/),
      ]);
    });

    it('should start on PGlite with ALLOW_EMBEDDED_DB=true, or on PostgreSQL, once API_BASE_URL is set', () => {
      const withUrl = { ...production, API_BASE_URL: 'https://sms.example.com' };
      expect(validateEnvironment({ ...withUrl, ALLOW_EMBEDDED_DB: 'true' }).errors).toEqual([]);
      expect(validateEnvironment({ ...withUrl, DATABASE_URL: 'postgres://u@h/d' }).errors).toEqual([]);
    });

    it('should not require either in sandbox mode or outside production', () => {
      expect(validateEnvironment({ NODE_ENV: 'production', API_KEY: 'sk_production_key_0001' }).errors).toEqual([]);
      expect(validateEnvironment({ ...production, NODE_ENV: 'development' }).errors).toEqual([]);
    });
  });

  it('should serve the GraphQL explorer outside production, and in production only when enabled', () => {
    const config = (raw: Record<string, string>) => new AppConfig(validateEnvironment(raw).env!);
    const production = { NODE_ENV: 'production', API_KEY: 'sk_production_key_0001' };
    expect(config({}).graphqlExplorer).toBe(true);
    expect(config(production).graphqlExplorer).toBe(false);
    expect(config({ ...production, GRAPHQL_EXPLORER: 'true' }).graphqlExplorer).toBe(true);
    expect(config({ GRAPHQL_EXPLORER: 'false' }).graphqlExplorer).toBe(false);
  });

  it('should keep worker threads ready by default with DATABASE_URL outside tests, and not on the embedded database', () => {
    const config = (raw: Record<string, string>) => new AppConfig(validateEnvironment(raw).env!);
    const postgres = { DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/sms' };
    expect(config({}).workerThreadsReady).toBe(false);
    expect(config(postgres).workerThreadsReady).toBe(true);
    expect(config({ ...postgres, NODE_ENV: 'test' }).workerThreadsReady).toBe(false);
    expect(config({ ...postgres, WORKER_THREADS_READY: 'false' }).workerThreadsReady).toBe(false);
    expect(config({ WORKER_THREADS_READY: 'true' }).workerThreadsReady).toBe(true);
  });

  it('should refuse an ADMIN_API_KEY equal to API_KEY, and a malformed SETTINGS_ENCRYPTION_KEY', () => {
    expect(
      validateEnvironment({ API_KEY: 'sk_same_key_00000001', ADMIN_API_KEY: 'sk_same_key_00000001' }).errors,
    ).toEqual(['ADMIN_API_KEY must differ from API_KEY']);
    expect(validateEnvironment({ SETTINGS_ENCRYPTION_KEY: 'too-short' }).errors).toEqual([
      expect.stringMatching(/^SETTINGS_ENCRYPTION_KEY must be 32 bytes/),
    ]);
    expect(validateEnvironment({ SETTINGS_ENCRYPTION_KEY: 'a'.repeat(64) }).errors).toEqual([]);
    expect(validateEnvironment({ SETTINGS_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') }).errors).toEqual([]);
  });

  it('should refuse a DATABASE_URL that is not postgres:// or postgresql://, with the reason', () => {
    for (const url of ['mysql://root@localhost/db', 'file:./dev.db', 'localhost:5432']) {
      const { errors } = validateEnvironment({ DATABASE_URL: url });
      expect(errors).toEqual([expect.stringMatching(/^DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL/)]);
    }
    expect(validateEnvironment({ DATABASE_URL: 'postgres://u:p@h:5432/d' }).errors).toEqual([]);
    expect(validateEnvironment({ DATABASE_URL: 'postgresql://u@h/d' }).errors).toEqual([]);
  });

  it('should list every problem at once', () => {
    const { errors } = validateEnvironment({
      NODE_ENV: 'production',
      PORT: 'abc',
      DATABASE_URL: 'mysql://x',
      PLIVO_SENDER_ID: 'x',
      LOG_LEVEL: 'loud',
    });
    expect(errors).toHaveLength(5);
    expect(errors.join('\n')).toMatch(/PORT/);
    expect(errors.join('\n')).toMatch(/LOG_LEVEL/);
  });

  it('should take an API_KEY of any length (the contract fixes none; a short one is warned about at start)', () => {
    expect(validateEnvironment({ API_KEY: 'test-key' }).env?.API_KEY).toBe('test-key');
    expect(validateEnvironment({ NODE_ENV: 'production', API_KEY: 'k' }).errors).toEqual([]);
    // Past 256 characters no request could present it.
    expect(validateEnvironment({ API_KEY: 'k'.repeat(257) }).errors).toEqual([
      'API_KEY must be at most 256 characters long',
    ]);
  });

  it('should refuse a short ADMIN_API_KEY', () => {
    expect(validateEnvironment({ ADMIN_API_KEY: 'short' }).errors).toEqual([
      'ADMIN_API_KEY must be at least 16 characters long',
    ]);
  });

  it('should bound MAX_SCHEDULE_AHEAD_DAYS between 1 and 3650, 35 by default', () => {
    expect(validateEnvironment({}).env?.MAX_SCHEDULE_AHEAD_DAYS).toBe(35);
    expect(validateEnvironment({ MAX_SCHEDULE_AHEAD_DAYS: '90' }).env?.MAX_SCHEDULE_AHEAD_DAYS).toBe(90);
    for (const value of ['0', '3651', '1.5', 'soon']) {
      expect(validateEnvironment({ MAX_SCHEDULE_AHEAD_DAYS: value }).errors).toEqual([
        expect.stringMatching(/^MAX_SCHEDULE_AHEAD_DAYS /),
      ]);
    }
  });

  it('should default REDIS_CHANNEL_PREFIX to bulk-sms: and refuse one with spaces or of more than 64 characters', () => {
    expect(validateEnvironment({}).env?.REDIS_CHANNEL_PREFIX).toBe('bulk-sms:');
    expect(validateEnvironment({ REDIS_CHANNEL_PREFIX: 'staging.bulk-sms:' }).env?.REDIS_CHANNEL_PREFIX).toBe(
      'staging.bulk-sms:',
    );
    for (const value of ['two words', 'x'.repeat(65)]) {
      expect(validateEnvironment({ REDIS_CHANNEL_PREFIX: value }).errors).toEqual([
        expect.stringMatching(/^REDIS_CHANNEL_PREFIX must be 1 to 64 letters/),
      ]);
    }
  });

  it('should treat empty strings as unset', () => {
    expect(validateEnvironment({ DATABASE_URL: '', PLIVO_AUTH_ID: '', API_KEY: '' }).errors).toEqual([]);
  });
});

describe('loadEnvironment', () => {
  it('should throw one error whose message lists every problem', () => {
    expect(() => loadEnvironment({ PORT: '-1', DATABASE_URL: 'sqlite://x' })).toThrow(InvalidEnvironmentError);
    try {
      loadEnvironment({ PORT: '-1', DATABASE_URL: 'sqlite://x' });
    } catch (error) {
      expect((error as Error).message).toMatch(
        /^Invalid environment configuration:\n {2}- .*PORT.*\n {2}- DATABASE_URL/s,
      );
    }
  });
});
