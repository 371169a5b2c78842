/** A value with the matched span marked (the server says where: [start, end) in characters). */
export function Highlight({ value, span }: { value: string; span?: readonly [number, number] | number[] | null }) {
  const chars = Array.from(value);
  if (!span || span.length !== 2 || span[0] >= span[1]) return <>{value}</>;
  return (
    <>
      {chars.slice(0, span[0]).join('')}
      <mark data-testid="search-mark">{chars.slice(span[0], span[1]).join('')}</mark>
      {chars.slice(span[1]).join('')}
    </>
  );
}
