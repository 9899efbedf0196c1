import { Skeleton } from 'antd';
import type { EChartsCoreOption } from 'echarts/core';
import { useEffect, useRef, useState } from 'react';

type ECharts = (typeof import('./echarts'))['echarts'];
let loading: Promise<ECharts> | undefined;
const loadECharts = () => (loading ??= import('./echarts').then((m) => m.echarts));

/** An ECharts chart whose library is fetched the first time a chart is shown, not with the page. */
export function Chart({ option, height = 220, testId }: { option: EChartsCoreOption; height?: number; testId?: string }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<ReturnType<ECharts['init']> | undefined>(undefined);
  const [ready, setReady] = useState(false);
  useEffect(() => {
    let disposed = false;
    const resize = () => chart.current?.resize();
    void loadECharts().then((echarts) => {
      if (disposed || !el.current) return;
      chart.current = echarts.init(el.current, undefined, { renderer: 'svg' });
      setReady(true);
      window.addEventListener('resize', resize);
    });
    return () => {
      disposed = true;
      window.removeEventListener('resize', resize);
      chart.current?.dispose();
      chart.current = undefined;
    };
  }, []);
  useEffect(() => {
    if (ready) chart.current?.setOption(option, true);
  }, [ready, option]);
  return (
    <div style={{ position: 'relative', height }} data-testid={testId}>
      {!ready && <Skeleton.Node active style={{ width: '100%', height }} />}
      <div ref={el} style={{ position: 'absolute', inset: 0 }} />
    </div>
  );
}
