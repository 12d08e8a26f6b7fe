import path from 'node:path';
import type { ExportOptions } from './commands/export.command';
import { parseArgs, ParseArgsConfig } from 'node:util';

export const DEFAULT_URL = 'http://localhost:3000';
export const API_KEY_ENV = 'BULK_SMS_API_KEY';
export const ADMIN_KEY_ENV = 'BULK_SMS_ADMIN_KEY';
// The server's defaults: DATA_DIR=./data, and the key files it writes there.
export const DEFAULT_DATA_DIR = './data';
export const API_KEY_FILE = './data/api-key';
const KEY_FILE_NAME = 'api-key';
const ADMIN_KEY_FILE_NAME = 'admin-api-key';

/** The scopes a key can be given, as the server names them (src/common/auth/scope.enum.ts). */
export const SCOPES = ['campaigns:read', 'campaigns:write', 'suppressions:write', 'webhooks:write', 'admin'] as const;

export type CampaignAction = 'pause' | 'resume' | 'cancel';

export interface SendOptions {
  file: string;
  text: string;
  name?: string;
  sender?: string;
  defaultCountry?: string;
  phoneColumn?: string;
  smartEncoding: boolean;
  maxCost?: number;
  scheduleAt?: Date;
  idempotencyKey?: string;
  watch: boolean;
}

export interface QuoteOptions {
  file?: string;
  text: string;
  defaultCountry?: string;
  phoneColumn?: string;
  smartEncoding: boolean;
}

export type SuppressionsCommand =
  { action: 'import'; file: string; reason?: string; defaultCountry?: string } | { action: 'export' };

export type CliCommand =
  | { name: 'help' }
  | { name: 'suppressions'; options: SuppressionsCommand }
  | { name: 'send'; options: SendOptions }
  | { name: 'quote'; options: QuoteOptions }
  | { name: 'status'; campaignId: string; watch: boolean }
  | { name: 'export'; options: ExportOptions }
  | { name: CampaignAction; campaignId: string; ignoreBrake?: boolean }
  | { name: 'accounts'; action: 'list' }
  | { name: 'accounts'; action: 'create'; accountName: string }
  | { name: 'keys'; action: 'list'; accountId: string }
  | { name: 'keys'; action: 'create'; accountId: string; keyName: string; scopes: string[]; expiresAt?: Date }
  | { name: 'keys'; action: 'revoke'; keyId: string };

export type AdminCommand = Extract<CliCommand, { name: 'accounts' | 'keys' }>;

export interface Connection {
  url: string;
  /** Undefined when no key was found: the caller says how to give one. */
  apiKey?: string;
  keySource: string;
  /** Every place looked at, in order, for messages when no key is found or the key is refused. */
  lookedAt: string[];
}

export interface ParsedCli {
  command: CliCommand;
  connection: Connection;
}

/** A mistake in how the CLI was called: printed with the usage, exit code 1. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  send --file <numbers.csv> --text <text> [--name <name>] [--sender <id>] [--default-country US] [--phone-column <name|number>]
       [--smart-encoding] [--max-cost 12.5] [--schedule-at <ISO date>] [--idempotency-key <key>] [--no-watch]
  quote --text <text> [--file <numbers.csv>] [--phone-column <name|number>] [--default-country US] [--smart-encoding]
  status <campaignId> [--watch]
  export <campaignId> [--status DELIVERED,FAILED] [--format csv|ndjson] [--bom] [--out file]
  pause <campaignId>
  resume <campaignId> [--ignore-brake]
  cancel <campaignId>
  suppressions import <numbers.csv> [--reason <text>] [--default-country US]
  suppressions export                      (CSV on stdout: phone,source,reason,campaignId,createdAt)

Admin commands (the admin key: --key, $${ADMIN_KEY_ENV}, else <data dir>/${ADMIN_KEY_FILE_NAME}):
  accounts                      list the accounts
  accounts create --name <name>
  keys list --account <accountId>
  keys create --account <accountId> --name <name> --scopes campaigns:read,campaigns:write
              [--expires-at <ISO date>]      (the key is printed once)
  keys revoke <keyId>
  Scopes: ${SCOPES.join(', ')}

Options for every command (before or after it):
  --url <url>       the service (default ${DEFAULT_URL})
  --key <key>       the API key (default: $${API_KEY_ENV}, else the file <data dir>/${KEY_FILE_NAME})
  --data-dir <dir>  the server's DATA_DIR, where it keeps the keys it generates (default: $DATA_DIR, else ${DEFAULT_DATA_DIR})
  -h, --help        this text

The numbers file: one recipient per line, or a CSV whose first column holds the numbers
(a header line is skipped, quoted fields are fine).
With --phone-column <name or number>, or a text with {{ placeholders }}, the file is uploaded as a
recipient list (CSV with a header row, or .ndjson), streamed with a progress bar, and the text may use
its columns: --text 'Hi {{ name | default: "there" }}'.`;

const COMMON = {
  url: { type: 'string' },
  key: { type: 'string' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const MESSAGE = {
  file: { type: 'string' },
  text: { type: 'string' },
  'default-country': { type: 'string' },
  'phone-column': { type: 'string' },
  'smart-encoding': { type: 'boolean' },
} as const;

const OPTIONS = {
  send: {
    ...COMMON,
    ...MESSAGE,
    name: { type: 'string' },
    sender: { type: 'string' },
    'max-cost': { type: 'string' },
    'schedule-at': { type: 'string' },
    'idempotency-key': { type: 'string' },
    'no-watch': { type: 'boolean' },
  },
  quote: { ...COMMON, ...MESSAGE },
  status: { ...COMMON, watch: { type: 'boolean' } },
  export: {
    ...COMMON,
    status: { type: 'string', multiple: true },
    format: { type: 'string' },
    bom: { type: 'boolean' },
    out: { type: 'string' },
  },
  pause: COMMON,
  resume: { ...COMMON, 'ignore-brake': { type: 'boolean' } },
  cancel: COMMON,
  suppressions: { ...COMMON, reason: { type: 'string' }, 'default-country': { type: 'string' } },
  accounts: { ...COMMON, name: { type: 'string' } },
  keys: {
    ...COMMON,
    account: { type: 'string' },
    name: { type: 'string' },
    scopes: { type: 'string' },
    'expires-at': { type: 'string' },
  },
} satisfies Record<string, ParseArgsConfig['options']>;

type CommandName = keyof typeof OPTIONS;

export interface Environment {
  env: Record<string, string | undefined>;
  /** Reads the key file; undefined when there is none. */
  readKeyFile(path: string): string | undefined;
}

/** Parses argv (without node and the script) into a command; throws UsageError on any mistake. */
export function parseCli(argv: string[], environment: Environment): ParsedCli {
  const { name, rest } = splitCommand(argv);
  if (name === undefined || name === 'help') {
    return { command: { name: 'help' }, connection: resolveConnection({}, environment, false) };
  }
  if (name.startsWith('-')) {
    throw new UsageError(`unknown option "${name}" (give a command first: npm run cli -- --help lists them)`);
  }
  if (!(name in OPTIONS)) {
    throw new UsageError(`unknown command "${name}"`);
  }
  const commandName = name as CommandName;
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    const options: ParseArgsConfig['options'] = OPTIONS[commandName];
    const result = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
    parsed = { values: result.values as Record<string, string | boolean | undefined>, positionals: result.positionals };
  } catch (error) {
    throw new UsageError(
      error instanceof Error ? error.message.replace(/\. To specify a positional.*$/s, '') : String(error),
    );
  }
  const { values, positionals } = parsed;
  const isAdmin = commandName === 'accounts' || commandName === 'keys';
  const connection = resolveConnection(values, environment, isAdmin);
  if (values.help) {
    return { command: { name: 'help' }, connection };
  }
  return { command: buildCommand(commandName, values, positionals), connection };
}

/**
 * The command and its arguments. The options every command takes may also come before the command
 * (`--url http://host:3000 status <id>`, as with git); they are moved after it.
 */
function splitCommand(argv: string[]): { name: string | undefined; rest: string[] } {
  const leading: string[] = [];
  let i = 0;
  while (i < argv.length) {
    const [flag, inlineValue] = argv[i].split('=', 2);
    const common = Object.entries(COMMON).find(
      ([long, spec]) => flag === `--${long}` || ('short' in spec && flag === `-${spec.short}`),
    );
    if (!common) {
      break;
    }
    const consumed = common[1].type === 'string' && inlineValue === undefined ? 2 : 1;
    leading.push(...argv.slice(i, i + consumed));
    i += consumed;
  }
  return { name: argv[i], rest: [...argv.slice(i + 1), ...leading] };
}

function buildCommand(
  name: CommandName,
  values: Record<string, string | boolean | undefined>,
  positionals: string[],
): CliCommand {
  const text = (key: string): string | undefined => {
    const value = values[key];
    return typeof value === 'string' ? value : undefined;
  };
  switch (name) {
    case 'send':
      noPositionals(name, positionals);
      return {
        name,
        options: {
          file: required(name, 'file', text('file')),
          text: required(name, 'text', text('text')),
          name: text('name'),
          sender: text('sender'),
          defaultCountry: text('default-country'),
          phoneColumn: text('phone-column'),
          smartEncoding: values['smart-encoding'] === true,
          maxCost: optionalNumber('max-cost', text('max-cost')),
          scheduleAt: optionalDate('schedule-at', text('schedule-at')),
          idempotencyKey: text('idempotency-key'),
          watch: values['no-watch'] !== true,
        },
      };
    case 'quote':
      noPositionals(name, positionals);
      return {
        name,
        options: {
          file: text('file'),
          text: required(name, 'text', text('text')),
          defaultCountry: text('default-country'),
          phoneColumn: text('phone-column'),
          smartEncoding: values['smart-encoding'] === true,
        },
      };
    case 'status':
      return { name, campaignId: campaignId(name, positionals), watch: values.watch === true };
    case 'export': {
      const format = text('format') ?? 'csv';
      if (format !== 'csv' && format !== 'ndjson') {
        throw new UsageError(`export: --format must be csv or ndjson, got "${format}"`);
      }
      const statuses = ((values.status as unknown as string[] | undefined) ?? []).flatMap((s) =>
        s
          .split(',')
          .map((part) => part.trim().toUpperCase())
          .filter(Boolean),
      );
      return {
        name,
        options: {
          campaignId: campaignId(name, positionals),
          format,
          statuses,
          bom: values.bom === true,
          out: text('out'),
        },
      };
    }
    case 'resume':
      return { name, campaignId: campaignId(name, positionals), ignoreBrake: values['ignore-brake'] === true };
    case 'pause':
    case 'cancel':
      return { name, campaignId: campaignId(name, positionals) };
    case 'suppressions':
      return { name, options: suppressionsCommand(positionals, text('reason'), text('default-country')) };
    case 'accounts':
      return accountsCommand(positionals, text);
    case 'keys':
      return keysCommand(positionals, text);
  }
}

function suppressionsCommand(
  positionals: string[],
  reason: string | undefined,
  defaultCountry: string | undefined,
): SuppressionsCommand {
  const [action, file, ...extra] = positionals;
  if (action === 'export' && file === undefined) {
    return { action };
  }
  if (action === 'import' && file !== undefined && extra.length === 0) {
    return { action, file, reason, defaultCountry };
  }
  throw new UsageError('suppressions: use "suppressions import <numbers.csv>" or "suppressions export"');
}

function accountsCommand(positionals: string[], text: (key: string) => string | undefined): CliCommand {
  const [action = 'list', ...extra] = positionals;
  if (extra.length > 0) {
    throw new UsageError(`accounts: unexpected argument "${extra[0]}"`);
  }
  if (action === 'list') {
    return { name: 'accounts', action };
  }
  if (action === 'create') {
    return { name: 'accounts', action, accountName: required('accounts create', 'name', text('name')) };
  }
  throw new UsageError(`accounts: unknown action "${action}" (list or create)`);
}

function keysCommand(positionals: string[], text: (key: string) => string | undefined): CliCommand {
  const [action, ...extra] = positionals;
  switch (action) {
    case 'list':
      noPositionals('keys list', extra);
      return { name: 'keys', action, accountId: required('keys list', 'account', text('account')) };
    case 'create': {
      noPositionals('keys create', extra);
      const scopes = required('keys create', 'scopes', text('scopes'))
        .split(',')
        .map((scope) => scope.trim())
        .filter(Boolean);
      const unknown = scopes.find((scope) => !(SCOPES as readonly string[]).includes(scope));
      if (unknown !== undefined || scopes.length === 0) {
        throw new UsageError(`--scopes: unknown scope "${unknown ?? ''}"; scopes are ${SCOPES.join(', ')}`);
      }
      return {
        name: 'keys',
        action,
        accountId: required('keys create', 'account', text('account')),
        keyName: required('keys create', 'name', text('name')),
        scopes,
        expiresAt: optionalDate('expires-at', text('expires-at')),
      };
    }
    case 'revoke':
      if (extra.length !== 1) {
        throw new UsageError('keys revoke: give exactly one key id, e.g. npm run cli -- keys revoke <keyId>');
      }
      return { name: 'keys', action, keyId: extra[0] };
    default:
      throw new UsageError(`keys: give an action: create, list or revoke`);
  }
}

/**
 * The key, from --key, else the environment variable, else the file the server generates in its
 * DATA_DIR (found as the server finds it: --data-dir, else $DATA_DIR, else ./data).
 */
function resolveConnection(
  values: Record<string, string | boolean | undefined>,
  environment: Environment,
  admin: boolean,
): Connection {
  const url = (typeof values.url === 'string' ? values.url : DEFAULT_URL).replace(/\/+$/, '').replace(/\/graphql$/, '');
  if (!/^https?:\/\/[^/]/.test(url)) {
    throw new UsageError(`--url must be an http:// or https:// URL, got "${url}"`);
  }
  const variable = admin ? ADMIN_KEY_ENV : API_KEY_ENV;
  const dataDirFlag = typeof values['data-dir'] === 'string' && values['data-dir'] ? values['data-dir'] : undefined;
  const dataDir = dataDirFlag ?? (environment.env.DATA_DIR?.trim() || DEFAULT_DATA_DIR);
  const dataDirSource = dataDirFlag
    ? '--data-dir'
    : environment.env.DATA_DIR?.trim()
      ? '$DATA_DIR'
      : 'default data dir';
  // Joined as written (not path.join), so the default reads "./data/api-key" as the server prints it.
  const keyFile = `${dataDir.replace(/[\\/]+$/, '')}${path.sep}${admin ? ADMIN_KEY_FILE_NAME : KEY_FILE_NAME}`;
  const lookedAt = ['--key', `$${variable}`, `${keyFile} (${dataDirSource})`];
  if (typeof values.key === 'string' && values.key) {
    return { url, apiKey: values.key, keySource: '--key', lookedAt: lookedAt.slice(0, 1) };
  }
  const fromEnv = environment.env[variable]?.trim();
  if (fromEnv) {
    return { url, apiKey: fromEnv, keySource: `$${variable}`, lookedAt: lookedAt.slice(0, 2) };
  }
  const fromFile = environment.readKeyFile(keyFile)?.trim();
  return fromFile ? { url, apiKey: fromFile, keySource: keyFile, lookedAt } : { url, keySource: 'none', lookedAt };
}

function required(command: string, option: string, value: string | undefined): string {
  if (value === undefined || value === '') {
    throw new UsageError(`${command}: --${option} is required`);
  }
  return value;
}

function noPositionals(command: string, positionals: string[]): void {
  if (positionals.length > 0) {
    throw new UsageError(`${command}: unexpected argument "${positionals[0]}"`);
  }
}

function campaignId(command: string, positionals: string[]): string {
  if (positionals.length !== 1) {
    throw new UsageError(`${command}: give exactly one campaign id, e.g. npm run cli -- ${command} <campaignId>`);
  }
  return positionals[0];
}

function optionalNumber(option: string, value: string | undefined): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number <= 0) {
    throw new UsageError(`--${option} must be a positive number, got "${value}"`);
  }
  return number;
}

function optionalDate(option: string, value: string | undefined): Date | undefined {
  if (value === undefined) {
    return undefined;
  }
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime())) {
    throw new UsageError(`--${option} must be an ISO 8601 date such as 2030-01-31T09:00:00Z, got "${value}"`);
  }
  return date;
}
