import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FIRST_REST_MS, QUIET_MS, QuietMoments, type MovingMap } from './quiet-moments';

/** A map whose moves and rests the test drives. */
function fakeMap() {
	const listeners = new Map<string, Set<() => void>>();
	let moving = false;
	const map: MovingMap = {
		on: (type, listener) => listeners.set(type, (listeners.get(type) ?? new Set()).add(listener)),
		off: (type, listener) => listeners.get(type)?.delete(listener),
		isMoving: () => moving
	};
	const fire = (type: string) => listeners.get(type)?.forEach((listener) => listener());
	return {
		map,
		idle: () => fire('idle'),
		move: (still: boolean) => {
			moving = !still;
			fire('move');
		}
	};
}

async function settled(promise: Promise<void>): Promise<boolean> {
	let done = false;
	void promise.then(() => (done = true));
	await vi.advanceTimersByTimeAsync(0);
	return done;
}

describe('QuietMoments', () => {
	beforeEach(() => vi.useFakeTimers());
	afterEach(() => vi.useRealTimers());

	it('waits for the map to rest once before the first long task', async () => {
		const quiet = new QuietMoments();
		const { map, idle } = fakeMap();
		quiet.watch(map);
		const next = quiet.next();
		expect(await settled(next)).toBe(false);
		idle();
		expect(await settled(next)).toBe(true);
	});

	it('never while the map moves, nor until it has been still for QUIET_MS', async () => {
		const quiet = new QuietMoments();
		const { map, idle, move } = fakeMap();
		quiet.watch(map);
		idle();
		move(false); // a pan under way
		const next = quiet.next();
		await vi.advanceTimersByTimeAsync(QUIET_MS * 5);
		expect(await settled(next)).toBe(false);
		move(true); // the last move of the pan
		await vi.advanceTimersByTimeAsync(QUIET_MS / 2);
		expect(await settled(next)).toBe(false);
		await vi.advanceTimersByTimeAsync(QUIET_MS);
		expect(await settled(next)).toBe(true);
	});

	it('holds nothing back when no map ever rests (no WebGL)', async () => {
		const quiet = new QuietMoments();
		const next = quiet.next();
		await vi.advanceTimersByTimeAsync(FIRST_REST_MS - 10);
		expect(await settled(next)).toBe(false);
		await vi.advanceTimersByTimeAsync(20);
		expect(await settled(next)).toBe(true);
	});
});
