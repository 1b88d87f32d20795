import { describe, expect, it } from 'vitest';
import { scrollOffsetFor, visibleRange } from './virtual-range';

describe('visibleRange', () => {
	const base = { count: 10_000, rowHeight: 100, viewportHeight: 700, overscan: 5 };

	it('at the top renders the viewport plus overscan below', () => {
		expect(visibleRange({ ...base, scrolled: 0 })).toEqual({ start: 0, end: 12 });
	});

	it('in the middle renders a bounded window around the viewport', () => {
		const range = visibleRange({ ...base, scrolled: 500_050 });
		expect(range).toEqual({ start: 4995, end: 5013 });
		expect(range.end - range.start).toBeLessThanOrEqual(700 / 100 + 1 + 2 * 5 + 1);
	});

	it('at the end stops at the last row', () => {
		expect(visibleRange({ ...base, scrolled: 999_300 })).toEqual({ start: 9988, end: 10_000 });
	});

	it('a list below the viewport renders only its first rows, one far above renders none', () => {
		expect(visibleRange({ ...base, scrolled: -300 })).toEqual({ start: 0, end: 9 });
		expect(visibleRange({ ...base, scrolled: 5_000_000 })).toEqual({
			start: 10_000,
			end: 10_000
		});
	});

	it('handles empty lists and degenerate sizes', () => {
		expect(visibleRange({ ...base, count: 0, scrolled: 0 })).toEqual({ start: 0, end: 0 });
		expect(visibleRange({ ...base, count: 3, rowHeight: 0, scrolled: 0 })).toEqual({
			start: 0,
			end: 3
		});
	});
});

describe('scrollOffsetFor', () => {
	it('scrolls only when the row is not fully visible', () => {
		expect(scrollOffsetFor(5, 100, 0, 700)).toBeNull();
		expect(scrollOffsetFor(7, 100, 0, 700)).toBe(100);
		expect(scrollOffsetFor(2, 100, 400, 700)).toBe(200);
	});
});
