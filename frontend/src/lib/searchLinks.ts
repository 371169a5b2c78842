import type { SearchHit } from '../queries/search';

/** Where a search hit opens. */
export function hitLink(hit: SearchHit): string {
  switch (hit.type) {
    case 'tickets':
      return `/tickets/${hit.id}`;
    default:
      return `/customers/${hit.customer_id ?? hit.id}`;
  }
}

/** Whether a keyboard event should focus the header search: `/` outside a text field, or
 * Ctrl/⌘+K anywhere. */
export function isSearchShortcut(e: KeyboardEvent): boolean {
  if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k') return true;
  if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return false;
  const target = e.target as HTMLElement | null;
  const tag = target?.tagName;
  return !(tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || target?.isContentEditable);
}
