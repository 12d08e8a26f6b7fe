import { GraphqlApiClient } from '../graphql-api.client';
import { ProgressOutput } from '../progress-bar';

/** What a command may use: the API, the two output streams, the file system for input files. */
export interface CliContext {
  api: GraphqlApiClient;
  /** Results: one call per line. */
  print(line: string): void;
  /** Progress and notices (stderr). */
  progressOutput: ProgressOutput;
  readTextFile(path: string): string;
}
