import { describe, expect, it } from 'vitest';
import { parseSyncTarget } from './admission.ts';

describe('parseSyncTarget', () => {
	it('takes the raw path after /sync/ and ignores the query', () => {
		expect(parseSyncTarget('/sync/c/demo/board/g01?token=abc')).toEqual({
			ok: true,
			docName: 'c/demo/board/g01'
		});
		expect(parseSyncTarget('/other/c/demo/board/g01')).toEqual({ ok: false, reason: 'not-sync' });
		expect(parseSyncTarget('/sync/c/demo/board/g%30').ok).toBe(false);
	});
});
