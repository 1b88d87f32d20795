/**
 * Drawing one chart with uPlot: a few series over labelled points (months, categories, grids),
 * as lines (a trend) or bars (counts). Loaded only by Chart.svelte's dynamic import, so uPlot and
 * its stylesheet never weigh on a first screen.
 *
 * Invariant: the chart draws exactly the numbers it is given (the table beside it shows the same);
 * it follows its container's width (a 320 px phone included) until destroyed.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export type ChartSeries = Readonly<{ label: string; values: readonly number[]; colour: string }>;
export type ChartSpec = Readonly<{
	labels: readonly string[];
	series: readonly ChartSeries[];
	kind: 'line' | 'bars';
	height: number;
}>;

export function drawChart(target: HTMLElement, spec: ChartSpec): () => void {
	const x = spec.labels.map((_, i) => i);
	// Bars for one series; several series are drawn as lines (bars would hide each other).
	const bars = spec.kind === 'bars' && spec.series.length === 1;
	const font = '11px system-ui, sans-serif';
	const options: uPlot.Options = {
		width: Math.max(200, target.clientWidth),
		height: spec.height,
		legend: { show: spec.series.length > 1, live: false },
		cursor: { show: false },
		scales: {
			x: { time: false, range: [-0.5, Math.max(0.5, spec.labels.length - 0.5)] },
			y: { range: (_u, _min, max) => [0, Math.max(1, max)] }
		},
		axes: [
			{
				values: (_u, splits) =>
					splits.map((i) => (Number.isInteger(i) ? (spec.labels[i] ?? '') : '')),
				incrs: [1],
				size: spec.labels.length > 4 ? 56 : 32,
				rotate: spec.labels.length > 4 ? -40 : 0,
				font
			} as uPlot.Axis,
			{ size: 40, font, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] }
		],
		series: [
			{},
			...spec.series.map((series): uPlot.Series => ({
				label: series.label,
				stroke: series.colour,
				fill: bars ? series.colour : undefined,
				width: bars ? 0 : 2,
				points: { show: !bars, size: 5 },
				paths: bars ? uPlot.paths.bars!({ size: [0.7, 48], align: 0 }) : undefined
			}))
		]
	};
	const data = [x, ...spec.series.map((series) => [...series.values])] as uPlot.AlignedData;
	const plot = new uPlot(options, data, target);
	const observer = new ResizeObserver(() =>
		plot.setSize({ width: Math.max(200, target.clientWidth), height: spec.height })
	);
	observer.observe(target);
	return () => {
		observer.disconnect();
		plot.destroy();
	};
}
