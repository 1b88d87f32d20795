/**
 * A masked value shown in full on purpose: one at a time, for 30 seconds, and masked again when
 * the page goes (`destroy`). Residents' phones and ID numbers are read masked
 * (model/household readers' `masked`); this is the only way the screens show them in full.
 *
 * Invariant: at most one value is revealed; a reveal ends by its timer, by another reveal, by
 * `hide` or by `destroy`, and a timer never hides a later reveal.
 */

export const REVEAL_MS = 30_000;

export type RevealKey = Readonly<{ residentId: string; field: 'phone' | 'idNumber' }>;

export type Timers = Readonly<{
	set: (run: () => void, ms: number) => unknown;
	clear: (handle: unknown) => void;
}>;

const realTimers: Timers = {
	set: (run, ms) => setTimeout(run, ms),
	clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>)
};

export class Reveal {
	readonly #timers: Timers;
	#handle: unknown = null;
	#generation = 0;
	shown = $state.raw<RevealKey | null>(null);

	constructor(timers: Timers = realTimers) {
		this.#timers = timers;
	}

	is(residentId: string, field: RevealKey['field']): boolean {
		return this.shown?.residentId === residentId && this.shown.field === field;
	}

	show(residentId: string, field: RevealKey['field']): void {
		this.hide();
		const generation = ++this.#generation;
		this.shown = Object.freeze({ residentId, field });
		this.#handle = this.#timers.set(() => {
			if (generation === this.#generation) this.hide();
		}, REVEAL_MS);
	}

	hide(): void {
		this.#generation++;
		if (this.#handle !== null) this.#timers.clear(this.#handle);
		this.#handle = null;
		this.shown = null;
	}

	destroy(): void {
		this.hide();
	}
}
