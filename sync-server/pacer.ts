/**
 * Paces a piece of work that batches what accumulated (a commit, a broadcast): a requested run
 * happens at the end of the current event-loop turn, but no sooner than `intervalMs` after the
 * owner last did the work (`ran()`).
 *
 * Invariant: at most one run is scheduled at a time; `cancel()` forgets it (the owner is doing
 * the work now).
 */
export class Pacer {
	#run: () => void;
	#intervalMs: number;
	#lastRanAt = -Infinity;
	#cancel: (() => void) | null = null;

	constructor(run: () => void, intervalMs = 0) {
		this.#run = run;
		this.#intervalMs = intervalMs;
	}

	/** Schedules a run, unless one is scheduled already. */
	request(): void {
		if (!this.#cancel) this.#schedule();
	}

	/** Forgets the scheduled run, if any. */
	cancel(): void {
		this.#cancel?.();
		this.#cancel = null;
	}

	/** The owner did the work now: the next run waits for the interval. */
	ran(): void {
		this.#lastRanAt = performance.now();
	}

	#schedule = (): void => {
		const wait = this.#lastRanAt + this.#intervalMs - performance.now();
		if (wait <= 0) {
			const immediate = setImmediate(this.#run);
			this.#cancel = () => clearImmediate(immediate);
		} else {
			// Node's timers count whole milliseconds and may fire a little early: check again then.
			const timer = setTimeout(this.#schedule, wait);
			this.#cancel = () => clearTimeout(timer);
		}
	};
}
