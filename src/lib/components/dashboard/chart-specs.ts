/**
 * The dashboard's charts as data (components/charts/draw.ts `ChartSpec`): the trend by month,
 * cases by category and by handling type, households by colour. Labels are the screen's own
 * (categories and handling types translated by the caller); numbers are the figures' own.
 */
import type { ChartSpec } from '$lib/components/charts/draw';
import type { Count, TrendMonth } from '$lib/screens/dashboard/figures';

const BLUE = '#2563eb';
const GREEN = '#16a34a';

export function trendSpec(
	trend: readonly TrendMonth[],
	label: (month: string) => string,
	names: Readonly<{ collected: string; resolved: string }>
): ChartSpec {
	return {
		kind: 'line',
		height: 200,
		labels: trend.map((month) => label(month.month)),
		series: [
			{ label: names.collected, colour: BLUE, values: trend.map((month) => month.collected) },
			{ label: names.resolved, colour: GREEN, values: trend.map((month) => month.resolved) }
		]
	};
}

export function countSpec(
	counts: readonly Count[],
	label: (key: string) => string,
	name: string,
	colour = BLUE
): ChartSpec {
	return {
		kind: 'bars',
		height: 180,
		labels: counts.map((count) => label(count.key)),
		series: [{ label: name, colour, values: counts.map((count) => count.count) }]
	};
}
