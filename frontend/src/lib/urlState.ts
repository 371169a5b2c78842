// A list's filters, sort, page size and position live in the URL, so a reload, the back
// button or a shared link shows the same page. Keyset paging has no page numbers: the URL
// keeps the stack of cursors that led to the current page (`c`, one per page turned).

export type ParamSpec = Record<string, 'one' | 'many'>;
export type ParamValues<S extends ParamSpec> = {
  [K in keyof S]: S[K] extends 'many' ? string[] : string | undefined;
};

export const CURSOR = 'c';

export function readParams<S extends ParamSpec>(spec: S, search: URLSearchParams): ParamValues<S> {
  const out: Record<string, string | string[] | undefined> = {};
  for (const [key, arity] of Object.entries(spec)) {
    out[key] = arity === 'many' ? search.getAll(key).filter(Boolean) : search.get(key) || undefined;
  }
  return out as ParamValues<S>;
}

/** The URL for new filter values: other parameters kept, the cursor stack dropped (page 1). */
export function withFilters<S extends ParamSpec>(spec: S, search: URLSearchParams, values: Partial<ParamValues<S>>): URLSearchParams {
  const next = new URLSearchParams(search);
  next.delete(CURSOR);
  for (const [key, value] of Object.entries(values) as [string, string | string[] | undefined][]) {
    if (!(key in spec)) continue;
    next.delete(key);
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v !== undefined && v !== '') next.append(key, v);
    }
  }
  return next;
}

/** The URL with none of the list's filters (its sort and page size kept), at page one. */
export function withoutFilters<S extends ParamSpec>(spec: S, search: URLSearchParams): URLSearchParams {
  const next = new URLSearchParams(search);
  next.delete(CURSOR);
  for (const key of Object.keys(spec)) if (key !== 'sort') next.delete(key);
  return next;
}

export function cursorStack(search: URLSearchParams): string[] {
  return search.getAll(CURSOR);
}

export function nextPage(search: URLSearchParams, cursor: string): URLSearchParams {
  const next = new URLSearchParams(search);
  next.append(CURSOR, cursor);
  return next;
}

export function previousPage(search: URLSearchParams): URLSearchParams {
  const next = new URLSearchParams(search);
  const stack = next.getAll(CURSOR);
  next.delete(CURSOR);
  stack.slice(0, -1).forEach((c) => next.append(CURSOR, c));
  return next;
}

/** Keep only values the API knows (a hand-edited URL must not turn into a 422). */
export function known<T extends string>(values: readonly T[], given: string[]): T[] {
  return given.filter((v): v is T => (values as readonly string[]).includes(v));
}

export function knownOne<T extends string>(values: readonly T[], given: string | undefined): T | undefined {
  return given !== undefined && (values as readonly string[]).includes(given) ? (given as T) : undefined;
}

export function ids(given: string[]): number[] {
  return given.map(Number).filter((n) => Number.isInteger(n) && n > 0);
}

export function id(given: string | undefined): number | undefined {
  return ids(given === undefined ? [] : [given])[0];
}

/** A count that may be 0 (order counts), unlike an id. */
export function count(given: string | undefined): number | undefined {
  const n = Number(given);
  return given !== undefined && given !== '' && Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** An amount in yuan as the API takes it: at most two decimals, no float rounding. */
export function amount(given: string | undefined): string | undefined {
  return given && /^\d{1,13}(\.\d{1,2})?$/.test(given) ? given : undefined;
}

export function isoDate(given: string | undefined): string | undefined {
  return given && /^\d{4}-\d{2}-\d{2}$/.test(given) ? given : undefined;
}
