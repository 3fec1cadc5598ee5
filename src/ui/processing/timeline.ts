// Named moments of a photo's way through the page (drop, stored, processed, clustered, labelled,
// painted) as User Timing marks, so `npm run bench -- app` can say where the first overlay's time goes.

const PREFIX = 'u2seg:';

/** Records a moment once per name (the first photo's moments are the ones the benchmark reads). */
export function markMoment(name: string, detail?: Record<string, number>): void {
  if (typeof performance === 'undefined' || performance.getEntriesByName(PREFIX + name, 'mark').length) return;
  performance.mark(PREFIX + name, detail ? { detail } : undefined);
}

/** Forgets the recorded moments (a new drop starts a new timeline). */
export function resetMoments(): void {
  if (typeof performance === 'undefined') return;
  for (const m of performance.getEntriesByType('mark')) if (m.name.startsWith(PREFIX)) performance.clearMarks(m.name);
}
