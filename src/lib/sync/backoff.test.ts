import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff';

describe('backoffDelay', () => {
	const policy = { baseMs: 1000, maxMs: 30_000 };

	it('waits nothing before the first failure', () => {
		expect(backoffDelay(0, policy)).toBe(0);
		expect(backoffDelay(-1, policy)).toBe(0);
	});

	it('doubles from the base with each failure in a row, up to the cap', () => {
		expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, policy))).toEqual([
			1000, 2000, 4000, 8000, 16_000, 30_000, 30_000
		]);
	});

	it('stays at the cap for any number of failures', () => {
		expect(backoffDelay(10_000, policy)).toBe(30_000);
		expect(backoffDelay(10_000, { baseMs: 1, maxMs: Number.MAX_SAFE_INTEGER })).toBe(2 ** 30);
	});

	it('is a fixed wait when the base is the cap', () => {
		const fixed = { baseMs: 15_000, maxMs: 15_000 };
		expect([1, 2, 9].map((n) => backoffDelay(n, fixed))).toEqual([15_000, 15_000, 15_000]);
	});
});
