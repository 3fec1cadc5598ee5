// A training loss as small lines (per epoch, one line per self-training round, method.md §6; or per
// report of STEGO's training, §4), on one scale so a user sees each round's loss fall and compares them.
const ROUND_COLOURS = ['#2f6fde', '#d9822b', '#3a9a5b'];

export function LossCurve({ rounds, width = 220, height = 48 }: { rounds: { loss: number }[][]; width?: number; height?: number }) {
  const all = rounds.flat();
  if (!all.length) return null;
  const max = Math.max(...all.map((h) => h.loss)), min = Math.min(...all.map((h) => h.loss));
  const span = max - min || 1;
  const longest = Math.max(...rounds.map((r) => r.length));
  const x = (i: number) => (longest === 1 ? width / 2 : (i / (longest - 1)) * (width - 8) + 4);
  const y = (loss: number) => height - 4 - ((loss - min) / span) * (height - 8);
  const label = rounds.map((r, k) => `round ${k + 1}: ${r.map((h) => h.loss.toFixed(3)).join(', ')}`).join('; ');
  return (
    <svg className="loss-curve" width={width} height={height} role="img" aria-label={`loss per epoch, ${label}`}>
      {rounds.map((r, k) => (
        <g key={k} stroke={ROUND_COLOURS[k % ROUND_COLOURS.length]} fill={ROUND_COLOURS[k % ROUND_COLOURS.length]}>
          <polyline points={r.map((h, i) => `${x(i).toFixed(1)},${y(h.loss).toFixed(1)}`).join(' ')} fill="none" strokeWidth="2" />
          {r.map((h, i) => (
            <circle key={i} cx={x(i)} cy={y(h.loss)} r="2.5" />
          ))}
        </g>
      ))}
    </svg>
  );
}
