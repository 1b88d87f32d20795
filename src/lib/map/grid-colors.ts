/**
 * A stable colour per grid: the same grid id has the same colour on every phone, in every map
 * and in the legend, whatever other grids exist or in which order they were drawn.
 *
 * Invariant: a pure function of the grid id (FNV-1a over its characters into a fixed palette of
 * colours that stay readable on a light basemap and under white labels).
 */

/** Twelve distinct, saturated colours (a community has about a dozen grids). */
export const GRID_PALETTE = [
	'#1f77b4',
	'#d62728',
	'#2ca02c',
	'#9467bd',
	'#ff7f0e',
	'#17becf',
	'#8c564b',
	'#e377c2',
	'#7f7f00',
	'#1b9e77',
	'#3949ab',
	'#c2185b'
] as const;

export function gridColor(gridId: string): string {
	let hash = 2166136261;
	for (let i = 0; i < gridId.length; i++) hash = Math.imul(hash ^ gridId.charCodeAt(i), 16777619);
	return GRID_PALETTE[(hash >>> 0) % GRID_PALETTE.length]!;
}
