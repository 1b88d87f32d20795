/**
 * The window of a virtualised list: which rows to render for a scroll position. Rows have one
 * height (given, or measured from a rendered row), so the range is arithmetic, not a search.
 *
 * Invariant: the range always lies within [0, count], covers every row that intersects the
 * viewport, and adds at most `overscan` rows on each side.
 */

export type VisibleRange = Readonly<{ start: number; end: number }>;

export type RangeInput = Readonly<{
	count: number;
	rowHeight: number;
	/** How far the list's top edge lies above the viewport's top edge (negative: below it). */
	scrolled: number;
	viewportHeight: number;
	overscan: number;
}>;

export function visibleRange(input: RangeInput): VisibleRange {
	const { count, overscan } = input;
	if (count <= 0) return { start: 0, end: 0 };
	const rowHeight = Math.max(1, input.rowHeight);
	const viewport = Math.max(0, input.viewportHeight);
	const first = Math.floor(Math.max(0, input.scrolled) / rowHeight);
	const last = Math.ceil(Math.max(0, input.scrolled + viewport) / rowHeight);
	const start = Math.min(count, Math.max(0, first - overscan));
	const end = Math.min(count, Math.max(start, last + overscan));
	return { start, end };
}

/** The scroll offset (within the list) that brings row `index` fully into a viewport. */
export function scrollOffsetFor(
	index: number,
	rowHeight: number,
	scrolled: number,
	viewportHeight: number
): number | null {
	const top = index * rowHeight;
	const bottom = top + rowHeight;
	if (top < scrolled) return top;
	if (bottom > scrolled + viewportHeight) return bottom - viewportHeight;
	return null;
}
