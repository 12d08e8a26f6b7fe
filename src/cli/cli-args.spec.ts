import { API_KEY_FILE, DEFAULT_URL, Environment, parseCli, UsageError } from './cli-args';

function environment(overrides: Partial<Environment> = {}): Environment {
  return { env: {}, readKeyFile: () => undefined, ...overrides };
}

describe(parseCli.name, () => {
  describe('connection', () => {
    it('should default to localhost:3000 and take the key from --key first', () => {
      const { connection } = parseCli(
        ['status', 'c1', '--key', 'sk_flag'],
        environment({ env: { BULK_SMS_API_KEY: 'sk_env' } }),
      );
      expect(connection).toEqual({ url: DEFAULT_URL, apiKey: 'sk_flag', keySource: '--key', lookedAt: ['--key'] });
    });

    it('should fall back to BULK_SMS_API_KEY, then to ./data/api-key', () => {
      expect(
        parseCli(['status', 'c1'], environment({ env: { BULK_SMS_API_KEY: ' sk_env\n' } })).connection,
      ).toMatchObject({
        apiKey: 'sk_env',
        keySource: '$BULK_SMS_API_KEY',
      });
      const readKeyFile = jest.fn((path: string) => (path === API_KEY_FILE ? 'sk_file\n' : undefined));
      expect(parseCli(['status', 'c1'], environment({ readKeyFile })).connection).toMatchObject({
        apiKey: 'sk_file',
        keySource: API_KEY_FILE,
      });
      expect(parseCli(['status', 'c1'], environment()).connection).toEqual({
        url: DEFAULT_URL,
        keySource: 'none',
        lookedAt: ['--key', '$BULK_SMS_API_KEY', './data/api-key (default data dir)'],
      });
    });

    it('should find the key file in the data dir the server uses: --data-dir, else $DATA_DIR', () => {
      const files: Record<string, string> = {
        '/srv/sms/api-key': 'sk_flag_dir\n',
        '/var/lib/sms/api-key': 'sk_env_dir\n',
        '/var/lib/sms/admin-api-key': 'sk_admin\n',
      };
      const readKeyFile = (path: string) => files[path];
      const env = { DATA_DIR: '/var/lib/sms' };
      expect(
        parseCli(['status', 'c1', '--data-dir', '/srv/sms'], environment({ env, readKeyFile })).connection,
      ).toMatchObject({ apiKey: 'sk_flag_dir', keySource: '/srv/sms/api-key' });
      expect(parseCli(['status', 'c1'], environment({ env, readKeyFile })).connection).toMatchObject({
        apiKey: 'sk_env_dir',
        keySource: '/var/lib/sms/api-key',
        lookedAt: ['--key', '$BULK_SMS_API_KEY', '/var/lib/sms/api-key ($DATA_DIR)'],
      });
      // Admin commands use the admin key: $BULK_SMS_ADMIN_KEY, else <data dir>/admin-api-key.
      expect(parseCli(['accounts'], environment({ env, readKeyFile })).connection).toMatchObject({
        apiKey: 'sk_admin',
        keySource: '/var/lib/sms/admin-api-key',
      });
      expect(
        parseCli(['accounts'], environment({ env: { ...env, BULK_SMS_ADMIN_KEY: 'sk_admin_env' }, readKeyFile }))
          .connection,
      ).toMatchObject({ apiKey: 'sk_admin_env', keySource: '$BULK_SMS_ADMIN_KEY' });
    });

    it('should accept a --url with a trailing /graphql and refuse one that is not http(s)', () => {
      expect(
        parseCli(['status', 'c1', '--url', 'https://sms.example.com/graphql/'], environment()).connection.url,
      ).toBe('https://sms.example.com');
      expect(() => parseCli(['status', 'c1', '--url', 'ftp://x'], environment())).toThrow(/--url must be an http/);
    });
  });

  describe('suppressions', () => {
    it('should parse an import with its options and an export', () => {
      expect(
        parseCli(
          ['suppressions', 'import', 'stop.csv', '--reason', 'paper form', '--default-country', 'GB'],
          environment(),
        ).command,
      ).toEqual({
        name: 'suppressions',
        options: { action: 'import', file: 'stop.csv', reason: 'paper form', defaultCountry: 'GB' },
      });
      expect(parseCli(['suppressions', 'export'], environment()).command).toEqual({
        name: 'suppressions',
        options: { action: 'export' },
      });
    });

    it.each([
      [['suppressions']],
      [['suppressions', 'import']],
      [['suppressions', 'export', 'x.csv']],
      [['suppressions', 'drop']],
    ])('should refuse %p', (argv) => {
      expect(() => parseCli(argv, environment())).toThrow(UsageError);
    });
  });

  describe('accounts and keys', () => {
    it('should parse the admin commands', () => {
      const env = environment();
      expect(parseCli(['accounts'], env).command).toEqual({ name: 'accounts', action: 'list' });
      expect(parseCli(['accounts', 'create', '--name', 'Acme'], env).command).toEqual({
        name: 'accounts',
        action: 'create',
        accountName: 'Acme',
      });
      expect(parseCli(['keys', 'list', '--account', 'a1'], env).command).toEqual({
        name: 'keys',
        action: 'list',
        accountId: 'a1',
      });
      expect(
        parseCli(
          [
            'keys',
            'create',
            '--account',
            'a1',
            '--name',
            'ci',
            '--scopes',
            'campaigns:read, campaigns:write',
            '--expires-at',
            '2030-01-01T00:00:00Z',
          ],
          env,
        ).command,
      ).toEqual({
        name: 'keys',
        action: 'create',
        accountId: 'a1',
        keyName: 'ci',
        scopes: ['campaigns:read', 'campaigns:write'],
        expiresAt: new Date('2030-01-01T00:00:00Z'),
      });
      expect(parseCli(['keys', 'revoke', 'k1'], env).command).toEqual({ name: 'keys', action: 'revoke', keyId: 'k1' });
    });

    it('should refuse unknown scopes, missing options and unknown actions', () => {
      const env = environment();
      expect(() =>
        parseCli(['keys', 'create', '--account', 'a', '--name', 'n', '--scopes', 'campaigns:rwx'], env),
      ).toThrow(/--scopes: unknown scope "campaigns:rwx"/);
      expect(() => parseCli(['keys', 'create', '--account', 'a', '--scopes', 'admin'], env)).toThrow(
        /--name is required/,
      );
      expect(() => parseCli(['keys'], env)).toThrow(/give an action/);
      expect(() => parseCli(['keys', 'revoke'], env)).toThrow(/exactly one key id/);
      expect(() => parseCli(['accounts', 'delete'], env)).toThrow(/unknown action "delete"/);
    });
  });

  describe('send', () => {
    it('should parse every option', () => {
      const { command } = parseCli(
        [
          'send',
          '--file',
          'numbers.csv',
          '--text',
          'Hello',
          '--name',
          'spring',
          '--sender',
          'MyBrand',
          '--default-country',
          'US',
          '--smart-encoding',
          '--max-cost',
          '12.5',
          '--schedule-at',
          '2030-01-31T09:00:00Z',
          '--idempotency-key',
          'k1',
          '--no-watch',
        ],
        environment(),
      );
      expect(command).toEqual({
        name: 'send',
        options: {
          file: 'numbers.csv',
          text: 'Hello',
          name: 'spring',
          sender: 'MyBrand',
          defaultCountry: 'US',
          smartEncoding: true,
          maxCost: 12.5,
          scheduleAt: new Date('2030-01-31T09:00:00Z'),
          idempotencyKey: 'k1',
          watch: false,
        },
      });
    });

    it('should watch by default and require --file and --text', () => {
      expect(parseCli(['send', '--file', 'f', '--text', 't'], environment()).command).toMatchObject({
        options: { watch: true, smartEncoding: false },
      });
      expect(() => parseCli(['send', '--text', 't'], environment())).toThrow(
        new UsageError('send: --file is required'),
      );
      expect(() => parseCli(['send', '--file', 'f'], environment())).toThrow(
        new UsageError('send: --text is required'),
      );
    });

    it.each([
      [['--max-cost', 'abc'], /--max-cost must be a positive number/],
      [['--max-cost=-1'], /--max-cost must be a positive number/],
      [['--schedule-at', 'tomorrow'], /--schedule-at must be an ISO 8601 date/],
      [['--colour', 'red'], /Unknown option '--colour'/],
      [['extra'], /unexpected argument "extra"/],
    ])('should refuse %j', (extra, message) => {
      expect(() => parseCli(['send', '--file', 'f', '--text', 't', ...extra], environment())).toThrow(message);
    });
  });

  describe('other commands', () => {
    it('should parse quote with an optional file', () => {
      expect(parseCli(['quote', '--text', 'Hi'], environment()).command).toEqual({
        name: 'quote',
        options: { file: undefined, text: 'Hi', defaultCountry: undefined, smartEncoding: false },
      });
    });

    it('should parse status with --watch and the campaign actions', () => {
      expect(parseCli(['status', 'c1', '--watch'], environment()).command).toEqual({
        name: 'status',
        campaignId: 'c1',
        watch: true,
      });
      for (const name of ['pause', 'cancel']) {
        expect(parseCli([name, 'c1'], environment()).command).toEqual({ name, campaignId: 'c1' });
      }
      expect(parseCli(['resume', 'c1'], environment()).command).toEqual({
        name: 'resume',
        campaignId: 'c1',
        ignoreBrake: false,
      });
      expect(parseCli(['resume', 'c1', '--ignore-brake'], environment()).command).toEqual({
        name: 'resume',
        campaignId: 'c1',
        ignoreBrake: true,
      });
    });

    it('should need exactly one campaign id', () => {
      expect(() => parseCli(['pause'], environment())).toThrow(/pause: give exactly one campaign id/);
      expect(() => parseCli(['status', 'a', 'b'], environment())).toThrow(/status: give exactly one campaign id/);
    });

    it('should show help for no command, help, --help and -h anywhere', () => {
      for (const argv of [[], ['help'], ['--help'], ['-h'], ['send', '--help']]) {
        expect(parseCli(argv, environment()).command).toEqual({ name: 'help' });
      }
    });

    it('should take the options of every command before the command too', () => {
      const parsed = parseCli(
        ['--url', 'http://host:4000', '--key=sk_before', 'status', 'c1', '--watch'],
        environment(),
      );
      expect(parsed.command).toEqual({ name: 'status', campaignId: 'c1', watch: true });
      expect(parsed.connection).toMatchObject({ url: 'http://host:4000', apiKey: 'sk_before' });
      expect(parseCli(['--url', 'http://host:4000', '--help'], environment()).command).toEqual({ name: 'help' });
      expect(parseCli(['-h', 'send'], environment()).command).toEqual({ name: 'help' });
    });

    it('should refuse an unknown option before the command, and a command option given before it', () => {
      expect(() => parseCli(['--verbose', 'status', 'c1'], environment())).toThrow(
        new UsageError('unknown option "--verbose" (give a command first: npm run cli -- --help lists them)'),
      );
      expect(() => parseCli(['--watch', 'status', 'c1'], environment())).toThrow(/unknown option "--watch"/);
    });

    it('should refuse an unknown command', () => {
      expect(() => parseCli(['launch'], environment())).toThrow(new UsageError('unknown command "launch"'));
    });
  });
});
