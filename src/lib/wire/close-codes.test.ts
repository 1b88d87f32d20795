import { describe, expect, it } from 'vitest';
import { CLOSE, isPermanentClose } from './close-codes.ts';

describe('close codes', () => {
	it('are the numbers of PROTOCOL.md', () => {
		expect(CLOSE).toEqual({
			goingAway: 1001,
			tooBig: 1009,
			badMessage: 4400,
			unauthorized: 4401,
			forbidden: 4403,
			docTooLarge: 4413,
			rateLimited: 4429,
			storageFailure: 4500,
			slowReader: 4508
		});
	});

	it('4400–4499 stop reconnecting, except the rate limit', () => {
		expect(Object.values(CLOSE).filter(isPermanentClose).sort()).toEqual([4400, 4401, 4403, 4413]);
		expect(isPermanentClose(4499)).toBe(true);
		expect(isPermanentClose(4500)).toBe(false);
		expect(isPermanentClose(1006)).toBe(false);
	});
});
