import type { NextFunction, Request, Response } from 'express';
import { DocumentNode, Kind, parse, visit } from 'graphql';
import { unpackRecipients } from '../http/bulk-json-body-split';
import type { ParsedBodyRequest } from '../http/request-body-parsers';
import type { MetricsService } from '../metrics/metrics.service';
import { BULK_BODY_FIELDS } from './bulk-body.plugin';

/** A request whose recipient list GraphQL does not coerce: its resolver takes it from here (withBulkRecipients). */
export interface BulkRecipientsRequest {
  bulkRecipients?: string[];
}

interface BulkBody {
  query?: unknown;
  variables: { input: { recipients: string[] } };
}

/**
 * After the body parsers: where a large body's recipients were packed by the worker that parsed it
 * (ParsedBodyRequest.packedRecipients), they are made strings again a slice at a time. When the
 * document gives `$input` only as the `input` of sendBulk or quote, GraphQL gets a one-item stand-in
 * (the first recipient: the input's own checks of the list hold for the whole list, the worker having
 * checked each item) and the resolver the whole list, so that GraphQL's coercion and the input's
 * transformation and validation do not walk a million items on the event loop. Any other document
 * gets its list back in its variables, as if nothing had happened.
 */
export function bulkRecipientsMiddleware(maxTokens: number, metrics: MetricsService) {
  return (req: Request, _res: Response, next: NextFunction): void => takeOutRecipients(req, next, maxTokens, metrics);
}

function takeOutRecipients(req: Request, next: NextFunction, maxTokens: number, metrics: MetricsService): void {
  const parsed = req as Request & ParsedBodyRequest & BulkRecipientsRequest;
  const packed = parsed.packedRecipients;
  if (!packed) {
    next();
    return;
  }
  parsed.packedRecipients = undefined;
  const body = req.body as BulkBody;
  unpackRecipients(packed).then((recipients) => {
    if (typeof body.query === 'string' && inputIsOnlyABulkInput(body.query, maxTokens)) {
      parsed.bulkRecipients = recipients;
      body.variables.input.recipients = [recipients[0]];
      metrics.largeJsonBodies.inc({ parsed: 'worker' });
    } else {
      body.variables.input.recipients = recipients;
      metrics.largeJsonBodies.inc({ parsed: 'worker_in_variables' });
    }
    next();
  }, next);
}

/**
 * The input with its recipients as the request sent them: from the request when the body parsers kept
 * them out of GraphQL (bulkRecipientsMiddleware), else as they are.
 */
export function withBulkRecipients<T extends { recipients?: string[] | null }>(
  input: T,
  req: BulkRecipientsRequest | undefined,
): T {
  if (req?.bulkRecipients) {
    input.recipients = req.bulkRecipients;
  }
  return input;
}

/**
 * True when every use of the variable `$input` is the `input` argument of a sendBulk or quote field,
 * and every sendBulk or quote field takes `$input` as its `input`: then every resolver that gets
 * the stand-in list is one that puts the whole list back, and no other value reads it.
 */
export function inputIsOnlyABulkInput(query: string, maxTokens: number): boolean {
  let document: DocumentNode;
  try {
    document = parse(query, { noLocation: true, maxTokens });
  } catch {
    return false; // Apollo reports the syntax error, or the document over GRAPHQL_MAX_TOKENS
  }
  let inputUses = 0;
  let bulkInputs = 0;
  let otherwise = false;
  visit(document, {
    Variable(node, _key, parent) {
      // Declarations ($input: SendBulkInput!) are not uses.
      const declaration = parent !== undefined && !Array.isArray(parent) && (parent as { kind?: string }).kind;
      if (node.name.value === 'input' && declaration !== Kind.VARIABLE_DEFINITION) {
        inputUses++;
      }
    },
    Field(node) {
      if (!BULK_BODY_FIELDS.has(node.name.value)) {
        return;
      }
      const args = node.arguments ?? [];
      const input = args.find((arg) => arg.name.value === 'input');
      if (input?.value.kind === Kind.VARIABLE && input.value.name.value === 'input') {
        bulkInputs++;
      } else {
        otherwise = true;
      }
    },
  });
  return !otherwise && bulkInputs > 0 && inputUses === bulkInputs;
}
