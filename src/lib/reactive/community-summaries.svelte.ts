/**
 * The summaries of any set of a community's documents as runes (boards, household registers, the
 * tasks document, the meeting index), for the dashboard and the report: read from the device's
 * storage first (sync/stored-summaries.ts), so every figure paints offline without opening a
 * document; then, with `hold`, each document is acquired after that first paint, so it loads and
 * syncs behind the figures and its session's summary (recomputed in every transaction,
 * doc-session.ts) replaces the stored one as soon as it is loaded.
 *
 * `live` is true while that session is loaded and online; otherwise `asOf` says when this device
 * last heard the relay for that document (null: never).
 *
 * Invariants: only summaries of the current format of the asked kind are returned
 * (`isCurrentSummary`); a document without one is null, never zeros; held documents are released
 * by `setDocs` (those left out) and `destroy`; a change in a held document is seen within a frame.
 */
import { untrack } from 'svelte';
import { isCurrentSummary, type AnySummary, type SummaryKind } from '$lib/domain/summaries';
import type { SessionRegistry } from '$lib/sync/session-registry';
import { readStoredSummaries } from '$lib/sync/stored-summaries';

export type DocSummary<S> = Readonly<{ summary: S; asOf: number | null; live: boolean }>;
type Stored = Readonly<{ summary: unknown; asOf: number | null }>;
type Held = { release: () => void; stop: () => void };

/** After the next paint (the figures from storage), or at once where there is no frame. */
const afterPaint = (run: () => void) =>
	typeof requestAnimationFrame === 'function'
		? requestAnimationFrame(() => setTimeout(run, 0))
		: setTimeout(run, 0);
const nextFrame = (run: () => void) =>
	typeof requestAnimationFrame === 'function' ? requestAnimationFrame(run) : setTimeout(run, 16);

export class CommunitySummaries {
	readonly #registry: SessionRegistry;
	readonly #hold: boolean;
	readonly #indexedDB: IDBFactory | undefined;
	// Replaced whole on every read ($state.raw), never mutated.
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	#stored = $state.raw<ReadonlyMap<string, Stored>>(new Map());
	#read = $state(false);
	#version = $state(0);
	#names: readonly string[] = [];
	#reads = 0;
	#bumping = false;
	#destroyed = false;
	// Plain bookkeeping; reactivity comes from #version.
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	readonly #held = new Map<string, Held>();
	readonly #stop: () => void;

	constructor(registry: SessionRegistry, options: { hold: boolean }, indexedDB?: IDBFactory) {
		this.#registry = registry;
		this.#hold = options.hold;
		this.#indexedDB = indexedDB;
		this.#stop = registry.watchSessions(() => this.#bump());
	}

	/** A change seen: figures re-read on the next frame (many updates, one re-read). */
	#bump(): void {
		if (this.#bumping) return;
		this.#bumping = true;
		nextFrame(() => {
			this.#bumping = false;
			this.#version++;
		});
	}

	/** Reads these documents' stored summaries, then (with `hold`) holds them after a paint. */
	setDocs(docNames: readonly string[]): Promise<void> {
		return untrack(async () => {
			this.#names = docNames;
			const read = ++this.#reads;
			const entries = await readStoredSummaries(docNames, this.#indexedDB ?? globalThis.indexedDB);
			if (read !== this.#reads || this.#destroyed) return;
			// eslint-disable-next-line svelte/prefer-svelte-reactivity -- built here, then frozen in state
			const stored = new Map<string, Stored>();
			for (const entry of entries) stored.set(entry.docName, entry);
			this.#stored = stored;
			this.#read = true;
			if (this.#hold) afterPaint(() => this.#holdDocs(docNames));
		});
	}

	#holdDocs(docNames: readonly string[]): void {
		if (this.#destroyed || this.#names !== docNames) return;
		// eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local lookup, not state
		const wanted = new Set(docNames);
		for (const [name, held] of this.#held) {
			if (wanted.has(name)) continue;
			held.stop();
			held.release();
			this.#held.delete(name);
		}
		for (const name of docNames) {
			if (this.#held.has(name)) continue;
			const { session, release } = this.#registry.acquire(name);
			const onUpdate = () => this.#bump();
			// The session recomputes its summary on afterTransaction, which Yjs emits before `update`.
			session.doc.on('update', onUpdate);
			this.#held.set(name, { release, stop: () => session.doc.off('update', onUpdate) });
		}
		this.#bump();
	}

	/** The stored summaries have been read once (before, a missing document means "not yet"). */
	get ready(): boolean {
		return this.#read;
	}

	/** A document's summary of `kind`: its loaded session's, else the stored one; null when none. */
	of<K extends SummaryKind>(
		docName: string,
		kind: K
	): DocSummary<Extract<AnySummary, { kind: K }>> | null {
		void this.#version;
		const stored = this.#stored.get(docName);
		const session = this.#registry.all().find((open) => open.docName === docName);
		if (session) {
			const state = session.getState();
			const summary = session.summary();
			if (state.loaded && isCurrentSummary(summary, kind)) {
				const stamps = [stored?.asOf ?? null, state.lastConfirmedAt].filter((s) => s !== null);
				return Object.freeze({
					summary,
					asOf: stamps.length > 0 ? Math.max(...stamps) : null,
					live: state.connection === 'online'
				});
			}
		}
		if (!stored || !isCurrentSummary(stored.summary, kind)) return null;
		return Object.freeze({ summary: stored.summary, asOf: stored.asOf, live: false });
	}

	destroy(): void {
		this.#destroyed = true;
		this.#stop();
		this.#reads++;
		for (const held of this.#held.values()) {
			held.stop();
			held.release();
		}
		this.#held.clear();
	}
}
