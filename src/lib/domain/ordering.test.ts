import { describe, expect, it } from 'vitest';
import { compareByAtThenId } from './ordering';

describe('compareByAtThenId', () => {
	it('orders by time, then by id on ties', () => {
		const sorted = [
			{ at: 2, id: 'a' },
			{ at: 1, id: 'z' },
			{ at: 2, id: '0' },
			{ at: 1, id: 'b' }
		].sort(compareByAtThenId);
		expect(sorted).toEqual([
			{ at: 1, id: 'b' },
			{ at: 1, id: 'z' },
			{ at: 2, id: '0' },
			{ at: 2, id: 'a' }
		]);
	});
});
