import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { fmtNumber } from '../../lib/format';
import { Chart } from './Chart';

/** The composite score against the plan's total points (116 for Ye County 2023). */
export default function ScoreGauge({ score, max }: { score: number | null; max: number }) {
  const { t } = useTranslation();
  const option = useMemo(
    () => ({
      series: [
        {
          type: 'gauge',
          min: 0,
          max,
          startAngle: 200,
          endAngle: -20,
          progress: { show: true, width: 14, itemStyle: { color: '#b71c1c' } },
          axisLine: { lineStyle: { width: 14 } },
          axisTick: { show: false },
          splitLine: { length: 8, lineStyle: { width: 1 } },
          axisLabel: { distance: 18, fontSize: 10 },
          pointer: { show: false },
          anchor: { show: false },
          title: { offsetCenter: [0, '35%'], fontSize: 12 },
          detail: { valueAnimation: false, offsetCenter: [0, '0%'], fontSize: 24, formatter: () => (score === null ? '—' : fmtNumber(score)) },
          data: [{ value: score ?? 0, name: t('dashboard.scoreOf', { max: fmtNumber(max) }) }],
        },
      ],
    }),
    [score, max, t],
  );
  return <Chart option={option} height={200} testId="score-gauge" />;
}
