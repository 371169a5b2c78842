import { useEffect } from 'react';
import { useSearchParams } from 'react-router';

/** The URL parameter the customer page's quick actions add (`?tab=follow-ups&new=1`) so the
 *  tab opens its creation form at once. */
export const NEW_PARAM = 'new';

/** Calls `open` when the URL asks for a new record (`new=1`), then takes the parameter out of the
 *  URL (replace, no history entry) so a reload or the back button does not open the form again.
 *  `enabled`: whether this reader may create one at all (the parameter is dropped either way). */
export function useNewParam(open: () => void, enabled = true) {
  const [search, setSearch] = useSearchParams();
  const wanted = search.get(NEW_PARAM) === '1';
  useEffect(() => {
    if (!wanted) return;
    if (enabled) open();
    setSearch(
      (prev) => {
        const next = new URLSearchParams(prev);
        next.delete(NEW_PARAM);
        return next;
      },
      { replace: true },
    );
    // `open` is a fresh closure each render; the parameter appearing is what matters.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [wanted, enabled]);
}
