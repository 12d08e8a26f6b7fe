import { GraphqlApiClient } from '../graphql-api.client';
import { ProgressOutput } from '../progress-bar';
import type { UploadedCampaign, UploadedList } from '../recipient-list-upload';

/** What a command may use: the API, the two output streams, the file system for input files. */
export interface CliContext {
  api: GraphqlApiClient;
  /** Results: one call per line. */
  print(line: string): void;
  /** Progress and notices (stderr). */
  progressOutput: ProgressOutput;
  readTextFile(path: string): string;
  /** Streams a file to POST /api/recipient-lists, with a progress bar on progressOutput. */
  uploadRecipientList(path: string, options: { phoneColumn?: string; defaultCountry?: string }): Promise<UploadedList>;
  /** Streams a file to POST /api/campaigns (the campaign's fields as query parameters), with the same bar. */
  uploadCampaign(path: string, fields: Record<string, string | undefined>): Promise<UploadedCampaign>;
}
