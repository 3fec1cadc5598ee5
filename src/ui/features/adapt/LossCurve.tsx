// The training loss per epoch as a small line (method.md §6 training), so a user sees it fall.
import type { EpochProgress } from '../../../core/adapt/train';

export function LossCurve({ history, width = 220, height = 48 }: { history: EpochProgress[]; width?: number; height?: number }) {
  if (!history.length) return null;
  const max = Math.max(...history.map((h) => h.loss)), min = Math.min(...history.map((h) => h.loss));
  const span = max - min || 1;
  const x = (i: number) => (history.length === 1 ? width / 2 : (i / (history.length - 1)) * (width - 8) + 4);
  const y = (loss: number) => height - 4 - ((loss - min) / span) * (height - 8);
  const points = history.map((h, i) => `${x(i).toFixed(1)},${y(h.loss).toFixed(1)}`).join(' ');
  return (
    <svg className="loss-curve" width={width} height={height} role="img" aria-label={`loss ${history.map((h) => h.loss.toFixed(3)).join(', ')}`}>
      <polyline points={points} fill="none" stroke="#2f6fde" strokeWidth="2" />
      {history.map((h, i) => (
        <circle key={i} cx={x(i)} cy={y(h.loss)} r="2.5" fill="#2f6fde" />
      ))}
    </svg>
  );
}
