import { describe, expect, it } from 'vitest';
import { commandTime } from './command-context';

const actor = { name: '王芳', deviceId: 'd1' };

describe('commandTime', () => {
	it('is the pinned moment when the context gives one', () => {
		expect(commandTime({ actor, authority: null, at: 1234 })).toBe(1234);
	});

	it('is now when the context leaves it out', () => {
		const before = Date.now();
		const at = commandTime({ actor, authority: null });
		expect(at).toBeGreaterThanOrEqual(before);
		expect(at).toBeLessThanOrEqual(Date.now());
	});
});
