import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  steps: readonly number[];
  values: readonly (number | null)[];
}

const palette = ['#4f6df5', '#e0693a', '#2fa37a', '#b44fc7', '#c9a227', '#3aa0c9', '#d0457c', '#7a8a99'];

/** Joins series on their steps: uPlot wants one x array and aligned y arrays. */
function align(series: readonly Series[]): uPlot.AlignedData {
  const xs = [...new Set(series.flatMap((s) => s.steps))].sort((a, b) => a - b);
  const at = new Map(xs.map((x, i) => [x, i]));
  const ys = series.map((s) => {
    const y: (number | null)[] = new Array(xs.length).fill(null);
    s.steps.forEach((step, k) => {
      y[at.get(step)!] = s.values[k];
    });
    return y;
  });
  return [xs, ...ys] as uPlot.AlignedData;
}

/** A line chart of one or more series by step (uPlot: canvas, fast for long curves). */
export function Chart({
  title,
  series,
  height = 220,
  xLabel = 'step',
}: {
  title: string;
  series: readonly Series[];
  height?: number;
  xLabel?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = series.map((s) => s.label).join('\u0000');

  // biome-ignore lint/correctness/useExhaustiveDependencies: rebuilt only when the set of series changes; data updates go through setData
  useEffect(() => {
    const element = box.current!;
    const chart = new uPlot(
      {
        width: element.clientWidth || 400,
        height,
        title,
        scales: { x: { time: false } },
        axes: [{ label: xLabel, stroke: '#5b6472' }, { stroke: '#5b6472' }],
        legend: { show: true },
        series: [
          { label: xLabel },
          ...series.map((s, k) => ({
            label: s.label,
            stroke: palette[k % palette.length],
            width: 2,
            spanGaps: true,
            points: { show: s.steps.length < 30 },
          })),
        ],
      },
      align(series),
      element,
    );
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: element.clientWidth, height }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, [shape, title, height, xLabel]);

  useEffect(() => {
    plot.current?.setData(align(series));
  }, [series]);

  return (
    <div
      className="chart"
      ref={box}
      data-testid={`chart-${title}`}
      data-points={series.reduce((n, s) => n + s.steps.length, 0)}
    />
  );
}
