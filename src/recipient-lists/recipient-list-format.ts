/** How an uploaded list is written: CSV with a header row, or one JSON object per line. */
export type RecipientListFormat = 'csv' | 'ndjson';
