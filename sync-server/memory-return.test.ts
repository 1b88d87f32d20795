/**
 * The rule of memory-return.ts over a scripted probe: memory is given back only after quiet
 * checks in a row and a growth worth the pause, and once given back, not again until it grew again.
 */
import { describe, expect, it } from 'vitest';
import { MemoryReturn, type MemoryProbe } from './memory-return.ts';

const MB = 1024 * 1024;

/** A probe whose RSS and busy share the test sets; `collect` drops RSS to `afterCollect`. */
function scripted(rssMb: number) {
	const state = { rss: rssMb * MB, busy: 0, afterCollect: rssMb * MB, collects: 0 };
	const probe: MemoryProbe = {
		rss: () => state.rss,
		busyShare: () => state.busy,
		collect: () => {
			state.collects++;
			state.rss = state.afterCollect;
		},
		now: () => 0
	};
	return { state, probe };
}

describe('MemoryReturn', () => {
	it('gives memory back after two quiet checks once RSS grew past the margin', () => {
		const { state, probe } = scripted(115);
		const events: Record<string, unknown>[] = [];
		const memory = new MemoryReturn(probe, { log: (e) => events.push(e) });
		// Load: RSS climbs, the loop is busy.
		state.rss = 278 * MB;
		state.busy = 0.6;
		expect(memory.check()).toBe(false);
		// Load ends: one quiet check is not enough.
		state.busy = 0.02;
		state.afterCollect = 130 * MB;
		expect(memory.check()).toBe(false);
		expect(memory.check()).toBe(true);
		expect(state.collects).toBe(1);
		expect(events).toEqual([
			{ event: 'memory-returned', rssBeforeMb: 278, rssAfterMb: 130, pauseMs: 0 }
		]);
		// Quiet and nothing grew since: no more collections.
		for (let i = 0; i < 5; i++) expect(memory.check()).toBe(false);
		expect(state.collects).toBe(1);
	});

	it('never collects while the relay is busy, however much RSS grew', () => {
		const { state, probe } = scripted(115);
		const memory = new MemoryReturn(probe);
		state.rss = 400 * MB;
		state.busy = 0.5;
		for (let i = 0; i < 10; i++) memory.check();
		// A quiet window between busy ones does not count as quiet in a row.
		for (let i = 0; i < 10; i++) {
			state.busy = i % 2 ? 0.5 : 0.01;
			memory.check();
		}
		expect(state.collects).toBe(0);
	});

	it('leaves a small growth alone, and measures growth from the lowest RSS since the last return', () => {
		const { state, probe } = scripted(120);
		const memory = new MemoryReturn(probe);
		state.rss = 130 * MB;
		for (let i = 0; i < 5; i++) memory.check();
		expect(state.collects).toBe(0);
		// RSS dipped to 110, then grew by 20 MB: past the 16 MB margin from the dip.
		state.rss = 110 * MB;
		memory.check();
		state.rss = 130 * MB;
		state.afterCollect = 112 * MB;
		memory.check();
		memory.check();
		expect(state.collects).toBe(1);
	});

	it('does not collect again when a collection freed nothing (live data, not garbage)', () => {
		const { state, probe } = scripted(115);
		const memory = new MemoryReturn(probe);
		state.rss = 300 * MB;
		state.afterCollect = 300 * MB;
		for (let i = 0; i < 10; i++) memory.check();
		expect(state.collects).toBe(1);
	});
});
