import { createEffect, onCleanup, onMount } from "solid-js";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface Point {
  t: number;
  n: number;
}

const dark = () => matchMedia("(prefers-color-scheme: dark)").matches;
const HEIGHT = 160;

/**
 * One time series as a uPlot line chart, redrawn in place when the data changes (live refresh), and
 * resized with its box. Colours follow the colour scheme so axes stay readable in light and dark.
 */
export function TimeChart(props: { label: string; points: readonly Point[]; color: string; hourly: boolean }) {
  let box!: HTMLDivElement;
  let plot: uPlot | undefined;
  const data = (): uPlot.AlignedData => [props.points.map((p) => p.t / 1000), props.points.map((p) => p.n)];

  onMount(() => {
    const ink = dark() ? "#e2e8f0" : "#1e293b";
    const grid = dark() ? "#334155" : "#e2e8f0";
    const axis: uPlot.Axis = { stroke: ink, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    plot = new uPlot(
      {
        width: Math.max(200, box.clientWidth),
        height: HEIGHT,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: [{ ...axis, values: props.hourly ? "{HH}:{mm}" : "{MMM} {D}" }, { ...axis, size: 44 }],
        series: [{}, { label: props.label, stroke: props.color, width: 2, fill: `${props.color}33`, points: { show: props.points.length < 40 } }],
      },
      data(),
      box,
    );
    const resize = new ResizeObserver(() => plot?.setSize({ width: Math.max(200, box.clientWidth), height: HEIGHT }));
    resize.observe(box);
    onCleanup(() => {
      resize.disconnect();
      plot?.destroy();
    });
  });
  createEffect(() => {
    const d = data();
    plot?.setData(d);
  });

  return <div ref={box} class="w-full" data-testid="chart" />;
}
