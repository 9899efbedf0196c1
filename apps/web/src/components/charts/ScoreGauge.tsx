import { useTranslation } from 'react-i18next';
import { fmtNumber } from '../../lib/format';

/** An arc from `from` to `to` degrees (0 = east, counter-clockwise positive) on a circle around (cx, cy). */
function arc(cx: number, cy: number, r: number, from: number, to: number): string {
  const point = (deg: number) => [cx + r * Math.cos((deg * Math.PI) / 180), cy - r * Math.sin((deg * Math.PI) / 180)] as const;
  const [x0, y0] = point(from);
  const [x1, y1] = point(to);
  const large = Math.abs(from - to) > 180 ? 1 : 0;
  return `M ${x0.toFixed(2)} ${y0.toFixed(2)} A ${r} ${r} 0 ${large} 1 ${x1.toFixed(2)} ${y1.toFixed(2)}`;
}

const START = 200;
const END = -20;

/**
 * The composite score against the plan's total points (116 for Ye County 2023), drawn as a plain
 * SVG arc: one gauge does not need a 500 KB chart library on the page leaders open on a phone.
 * The number sits inside the arc and the "out of" line below it, apart from the scale's ends, so
 * nothing overlaps at any width; the whole is one image with its value as its name.
 */
export default function ScoreGauge({ score, max }: { score: number | null; max: number }) {
  const { t } = useTranslation();
  const share = score === null || max <= 0 ? 0 : Math.min(1, Math.max(0, score / max));
  const value = score === null ? '—' : fmtNumber(score);
  const outOf = t('dashboard.scoreOf', { max: fmtNumber(max) });
  const cx = 100;
  const cy = 100;
  const r = 80;
  return (
    <svg viewBox="0 0 200 170" width="100%" height={200} role="img" aria-label={`${value} ${outOf}`} data-testid="score-gauge">
      <path d={arc(cx, cy, r, START, END)} fill="none" stroke="#e0e0e0" strokeWidth={14} strokeLinecap="round" />
      {share > 0 && <path d={arc(cx, cy, r, START, START - (START - END) * share)} fill="none" stroke="#b71c1c" strokeWidth={14} strokeLinecap="round" />}
      <text x={cx} y={cy + 4} textAnchor="middle" fontSize={30} fontWeight={600} fill="#1f1f1f" data-testid="gauge-value">
        {value}
      </text>
      <text x={cx} y={cy + 30} textAnchor="middle" fontSize={13} fill="#595959" data-testid="gauge-of">
        {outOf}
      </text>
      <text x={cx - r * 0.94} y={cy + 58} textAnchor="middle" fontSize={11} fill="#595959" aria-hidden="true" data-testid="gauge-min">
        0
      </text>
      <text x={cx + r * 0.94} y={cy + 58} textAnchor="middle" fontSize={11} fill="#595959" aria-hidden="true" data-testid="gauge-max">
        {fmtNumber(max)}
      </text>
    </svg>
  );
}
