import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartPoint {
  /** Unix seconds. */
  at: number;
  sent: number;
  delivered: number;
  failed: number;
}

const SERIES = [
  { label: 'Sent (handed to Plivo)', stroke: '#1d4ed8' },
  { label: 'Delivered', stroke: '#047857' },
  { label: 'Failed', stroke: '#b91c1c' },
];

/** Sent, delivered and failed over time, drawn with uPlot (about 20 KB gzipped, canvas, fast). */
export function ProgressChart({ points }: { points: ChartPoint[] }) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const element = container.current;
    if (!element) {
      return;
    }
    const width = () => Math.max(280, element.clientWidth);
    plot.current = new uPlot(
      {
        width: width(),
        height: 220,
        series: [{}, ...SERIES.map((s) => ({ label: s.label, stroke: s.stroke, width: 2 }))],
        axes: [{}, { size: 60 }],
        scales: { x: { time: true } },
        legend: { live: false },
      },
      [[], [], [], []],
      element,
    );
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: width(), height: 220 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    plot.current?.setData([
      points.map((p) => p.at),
      points.map((p) => p.sent),
      points.map((p) => p.delivered),
      points.map((p) => p.failed),
    ]);
  }, [points]);

  const last = points.at(-1);
  return (
    <figure class="chart">
      <div ref={container} role="img" aria-label="Chart of sent, delivered and failed messages over time" />
      <figcaption>
        {last
          ? `Now: ${last.sent} sent, ${last.delivered} delivered, ${last.failed} failed. `
          : 'Waiting for the first update. '}
        Plotted from when this page opened. Sent leaves out failed messages: some never reached Plivo.
      </figcaption>
    </figure>
  );
}
