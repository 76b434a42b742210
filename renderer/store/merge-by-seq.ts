/** Merges two seq-ordered lists (a snapshot and events that raced it), dropping duplicates, keeping the newest `max`. */
export function mergeBySeq<T extends { seq: number }>(
  current: readonly T[],
  incoming: readonly T[],
  max: number,
): T[] {
  if (incoming.length === 0) return current as T[];
  const last = current.at(-1)?.seq ?? -1;
  let merged: T[];
  if (incoming.every((e, i) => e.seq > last && (i === 0 || e.seq > (incoming[i - 1]?.seq ?? -1)))) {
    merged = [...current, ...incoming];
  } else {
    const bySeq = new Map<number, T>();
    for (const e of current) bySeq.set(e.seq, e);
    for (const e of incoming) bySeq.set(e.seq, e);
    merged = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  }
  return merged.length > max ? merged.slice(merged.length - max) : merged;
}
