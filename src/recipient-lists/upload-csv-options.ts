import type { Options } from 'csv-parse';
import { MAX_RECORD_BYTES } from './record-splitter';

/**
 * csv-parse's options for an upload's records. Every line break ends a record, in any mix, as the record
 * splitter cuts them: csv-parse's own default takes the first line break it meets as the only one, and a file
 * mixing \r\n and \n had rows merged into one.
 */
export const UPLOAD_CSV_OPTIONS: Options = {
  relax_column_count: true,
  skip_empty_lines: true,
  max_record_size: MAX_RECORD_BYTES,
  record_delimiter: ['\r\n', '\n', '\r'],
};
