import { describe, expect, it } from 'vitest';
import { formatBytes, formatClock } from './format';

describe('formatBytes', () => {
	it.each([
		[0, '0 B'],
		[1023, '1023 B'],
		[1536, '1.5 KB'],
		[50 * 1024 * 1024, '50 MB'],
		[3 * 1024 ** 3, '3.0 GB']
	])('%d bytes reads as %s', (bytes, text) => {
		expect(formatBytes(bytes)).toBe(text);
	});
});

describe('formatClock', () => {
	it('uses the locale', () => {
		const at = Date.UTC(2026, 10, 23, 2, 5);
		expect(formatClock(at, 'en')).toMatch(/\d{1,2}:05/);
	});
});
