import type { ExportOptions } from './commands/export.command';
import { parseArgs, ParseArgsConfig } from 'node:util';

export const DEFAULT_URL = 'http://localhost:3000';
export const API_KEY_ENV = 'BULK_SMS_API_KEY';
export const API_KEY_FILE = './data/api-key';

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
  | { name: CampaignAction; campaignId: string; ignoreBrake?: boolean };

export interface Connection {
  url: string;
  /** Undefined when no key was found: the caller says how to give one. */
  apiKey?: string;
  keySource: string;
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

Options for every command:
  --url <url>   the service (default ${DEFAULT_URL})
  --key <key>   the API key (default: $${API_KEY_ENV}, else the file ${API_KEY_FILE})
  -h, --help    this text

The numbers file: one recipient per line, or a CSV whose first column holds the numbers
(a header line is skipped, quoted fields are fine).
With --phone-column <name or number>, or a text with {{ placeholders }}, the file is uploaded as a
recipient list (CSV with a header row, or .ndjson), streamed with a progress bar, and the text may use
its columns: --text 'Hi {{ name | default: "there" }}'.`;

const COMMON = {
  url: { type: 'string' },
  key: { type: 'string' },
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
} satisfies Record<string, ParseArgsConfig['options']>;

type CommandName = keyof typeof OPTIONS;

export interface Environment {
  env: Record<string, string | undefined>;
  /** Reads the key file; undefined when there is none. */
  readKeyFile(path: string): string | undefined;
}

/** Parses argv (without node and the script) into a command; throws UsageError on any mistake. */
export function parseCli(argv: string[], environment: Environment): ParsedCli {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    return { command: { name: 'help' }, connection: resolveConnection({}, environment) };
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
  const connection = resolveConnection(values, environment);
  if (values.help) {
    return { command: { name: 'help' }, connection };
  }
  return { command: buildCommand(commandName, values, positionals), connection };
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

function resolveConnection(values: Record<string, string | boolean | undefined>, environment: Environment): Connection {
  const url = (typeof values.url === 'string' ? values.url : DEFAULT_URL).replace(/\/+$/, '').replace(/\/graphql$/, '');
  if (!/^https?:\/\/[^/]/.test(url)) {
    throw new UsageError(`--url must be an http:// or https:// URL, got "${url}"`);
  }
  if (typeof values.key === 'string' && values.key) {
    return { url, apiKey: values.key, keySource: '--key' };
  }
  const fromEnv = environment.env[API_KEY_ENV]?.trim();
  if (fromEnv) {
    return { url, apiKey: fromEnv, keySource: `$${API_KEY_ENV}` };
  }
  const fromFile = environment.readKeyFile(API_KEY_FILE)?.trim();
  return fromFile ? { url, apiKey: fromFile, keySource: API_KEY_FILE } : { url, keySource: 'none' };
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
