/**
 * When a map screen may do a long piece of work the person would feel as a stutter (reading a
 * board's document: a Yjs decode of 100–400 ms on a slow phone) without it landing in a pan:
 * after the map has first come to rest with what it was given, never while it moves nor within
 * `QUIET_MS` of its last movement, and in an idle period of the page.
 *
 * Invariant: `next()` resolves only once the watched map has been idle once (or `FIRST_REST_MS`
 * have passed without a map, so a map that cannot draw holds nothing back), and then only when
 * the map is not moving and has not moved for `QUIET_MS`; it resolves eventually whenever the
 * map rests.
 */

/** How long the map must have been still before the next long task. */
export const QUIET_MS = 400;
/** The longest wait for the map's first rest (no map: no WebGL, the chunk failed). */
export const FIRST_REST_MS = 3000;

/** What this needs of a maplibre map. */
export type MovingMap = {
	on(type: 'move' | 'idle', listener: () => void): unknown;
	off(type: 'move' | 'idle', listener: () => void): unknown;
	isMoving(): boolean;
};

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** An idle period of the page, or a second at most (a timer where there are no idle callbacks). */
const idle = () =>
	new Promise<void>((resolve) => {
		if (typeof requestIdleCallback === 'function') {
			requestIdleCallback(() => resolve(), { timeout: 1000 });
		} else setTimeout(resolve, 0);
	});

export class QuietMoments {
	#map: MovingMap | null = null;
	#lastMove = -Infinity;
	#rested!: () => void;
	readonly #firstRest = Promise.race([
		new Promise<void>((resolve) => (this.#rested = resolve)),
		delay(FIRST_REST_MS)
	]);
	readonly #onMove = () => (this.#lastMove = performance.now());
	readonly #onIdle = () => this.#rested();

	/** Watches this map (null: none any more). */
	watch(map: MovingMap | null): void {
		this.#map?.off('move', this.#onMove);
		this.#map?.off('idle', this.#onIdle);
		this.#map = map;
		map?.on('move', this.#onMove);
		map?.on('idle', this.#onIdle);
	}

	/** Resolves at the next quiet moment. */
	async next(): Promise<void> {
		await this.#firstRest;
		for (;;) {
			await idle();
			const still = performance.now() - this.#lastMove;
			if (!this.#map?.isMoving() && still >= QUIET_MS) return;
			await delay(Math.max(QUIET_MS - still, 50));
		}
	}
}
