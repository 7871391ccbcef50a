import { useEffect, useId, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { ScrollArea } from './scroll-area';

export interface ChartSeries {
  label: string;
  values: number[];
  color: string;
}

const HEIGHT = 180;

/**
 * A per-minute line chart (uPlot draws on a canvas), inside a figure whose caption summarises it
 * and whose table gives every value: the text alternative for those who cannot see the canvas.
 */
export function TimeChart(props: { title: string; unit: string; minutes: number[]; series: ChartSeries[] }) {
  const container = useRef<HTMLDivElement>(null);
  const captionId = useId();
  const { minutes, series, unit } = props;

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const chart = new uPlot(
      {
        width: element.clientWidth,
        height: HEIGHT,
        legend: { show: true },
        cursor: { drag: { x: false, y: false } },
        scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: [{}, { label: unit, size: 60 }],
        series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2 }))],
      },
      [minutes, ...series.map((s) => s.values)],
      element,
    );
    // Follow the container's width (phones, rotated screens, resized windows).
    const resize = new ResizeObserver(() => chart.setSize({ width: element.clientWidth, height: HEIGHT }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [minutes, series, unit]);

  return (
    <figure className="chart" aria-labelledby={captionId}>
      {/* The canvas is decorative for assistive technology: the caption and table carry the data. */}
      <div ref={container} className="chart-canvas" aria-hidden="true" />
      <figcaption id={captionId}>
        <strong>{props.title}</strong>: {summary(series, unit)}
      </figcaption>
      <details>
        <summary>Values per minute</summary>
        <ScrollArea className="table-scroll" label={`${props.title} values`}>
          <table>
            <caption className="visually-hidden">{props.title}, per minute</caption>
            <thead>
              <tr>
                <th scope="col">Minute</th>
                {series.map((s) => (
                  <th key={s.label} scope="col">
                    {s.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {minutes.map((minute, index) => (
                <tr key={minute}>
                  <th scope="row">
                    {new Date(minute * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}
                  </th>
                  {series.map((s) => (
                    <td key={s.label}>{s.values[index]}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollArea>
      </details>
    </figure>
  );
}

function summary(series: ChartSeries[], unit: string): string {
  return series
    .map((s) => {
      const peak = Math.max(0, ...s.values);
      const total = s.values.reduce((sum, v) => sum + v, 0);
      const mean = s.values.length > 0 ? total / s.values.length : 0;
      return `${s.label} peaked at ${round(peak)} ${unit} (average ${round(mean)})`;
    })
    .join('; ');
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
