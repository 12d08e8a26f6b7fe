import { useState } from 'preact/hooks';
import type { PageInfo } from '../api/types';

/**
 * Keyset paging over a GraphQL connection: the cursors of the pages already seen, so "Previous"
 * walks back over them and "Next" asks for the page after the one shown.
 */
export interface CursorPages {
  /** The `after` argument for the page shown: null on the first page. */
  after: string | null;
  /** The page shown, counted from 1. */
  number: number;
  next: (endCursor: string | null) => void;
  previous: () => void;
  /** Back to the first page (a new filter or search). */
  reset: () => void;
}

export function useCursorPages(): CursorPages {
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  return {
    after: cursors[cursors.length - 1],
    number: cursors.length,
    next: (endCursor) => setCursors((current) => [...current, endCursor]),
    previous: () => setCursors((current) => (current.length > 1 ? current.slice(0, -1) : current)),
    reset: () => setCursors([null]),
  };
}

/** Previous and Next under a paged table. */
export function Pager({ pages, pageInfo, label }: { pages: CursorPages; pageInfo: PageInfo; label: string }) {
  return (
    <nav class="pager" aria-label={label}>
      <button type="button" disabled={pages.number <= 1} onClick={pages.previous}>
        Previous
      </button>
      <button type="button" disabled={!pageInfo.hasNextPage} onClick={() => pages.next(pageInfo.endCursor)}>
        Next
      </button>
    </nav>
  );
}
