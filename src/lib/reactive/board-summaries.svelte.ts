/**
 * The summaries of a community's boards as runes, for screens that show every grid at once
 * without opening their documents (the community home's counts, the community board's first
 * rows; later the dashboard): read from the device's storage (sync/stored-summaries.ts) and, for
 * a board whose session is open and loaded, from the session itself (recomputed in every
 * transaction, doc-session.ts).
 *
 * `live` is true while that session is loaded and online (its figures are the relay's state as
 * it arrives); otherwise `asOf` says when this device last heard the relay for that board.
 *
 * Invariant: only summaries of the current format are returned (domain/summaries.ts
 * `isCurrentSummary`); a grid without one is absent (null), never shown as zeros. The stored
 * summaries are read again when a session of one of these boards closes (it has just stored its
 * latest summary); a session opening changes nothing stored, so it is not read again then (a
 * community screen opening twelve boards read every stored summary twelve more times).
 */
import { untrack } from 'svelte';
import { boardDocName, type CommunityId, type GridId } from '$lib/domain/ids';
import { isCurrentSummary, type BoardSummary } from '$lib/domain/summaries';
import type { SessionRegistry } from '$lib/sync/session-registry';
import { readStoredSummaries } from '$lib/sync/stored-summaries';

export type GridSummary = Readonly<{
	gridId: GridId;
	summary: BoardSummary;
	/** When this device last heard the relay for this board (null: never). */
	asOf: number | null;
	live: boolean;
}>;

type Stored = Readonly<{ summary: BoardSummary; asOf: number | null }>;

export class BoardSummaries {
	readonly #registry: SessionRegistry;
	readonly #communityId: CommunityId;
	readonly #indexedDB: IDBFactory | undefined;
	// Replaced whole on every read ($state.raw), never mutated.
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	#stored = $state.raw<ReadonlyMap<string, Stored>>(new Map());
	#read = $state(false);
	#sessions = $state(0);
	#gridIds: readonly GridId[] = [];
	#reads = 0;
	/** The sessions of these boards open when the set last changed (bookkeeping, not state). */
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	#open: ReadonlySet<string> = new Set();
	readonly #stop: () => void;

	constructor(registry: SessionRegistry, communityId: CommunityId, indexedDB?: IDBFactory) {
		this.#registry = registry;
		this.#communityId = communityId;
		this.#indexedDB = indexedDB;
		this.#stop = registry.watchSessions((changed) => {
			this.#sessions++;
			if (changed === undefined && this.#closedSome()) void this.#refresh();
		});
	}

	/** Some session of these boards was open at the last change of the set and is not now. */
	#closedSome(): boolean {
		/* eslint-disable svelte/prefer-svelte-reactivity -- local lookups, not state */
		const ours = new Set(this.#gridIds.map((gridId) => boardDocName(this.#communityId, gridId)));
		const open = new Set(
			this.#registry
				.all()
				.map((session) => session.docName)
				.filter((docName) => ours.has(docName))
		);
		/* eslint-enable svelte/prefer-svelte-reactivity */
		const closed = [...this.#open].some((docName) => !open.has(docName));
		this.#open = open;
		return closed;
	}

	/** Reads these grids' stored summaries; resolves once they are in. Safe from an effect. */
	setGrids(gridIds: readonly GridId[]): Promise<void> {
		return untrack(() => {
			this.#gridIds = gridIds;
			this.#closedSome(); // which of them are open now (their closing reads them again)
			return this.#refresh();
		});
	}

	async #refresh(): Promise<void> {
		const read = ++this.#reads;
		const names = this.#gridIds.map((gridId) => boardDocName(this.#communityId, gridId));
		const entries = await readStoredSummaries(names, this.#indexedDB ?? globalThis.indexedDB);
		if (read !== this.#reads) return;
		// eslint-disable-next-line svelte/prefer-svelte-reactivity -- built here, then frozen in state
		const stored = new Map<string, Stored>();
		for (const entry of entries) {
			if (isCurrentSummary(entry.summary, 'board')) {
				stored.set(entry.docName, { summary: entry.summary, asOf: entry.asOf });
			}
		}
		this.#stored = stored;
		this.#read = true;
	}

	/** The stored summaries have been read once (before, a missing grid means "not yet"). */
	get ready(): boolean {
		return this.#read;
	}

	/** A grid's summary: the open session's if loaded, else the stored one; null when none. */
	of(gridId: GridId): GridSummary | null {
		void this.#sessions;
		const docName = boardDocName(this.#communityId, gridId);
		const stored = this.#stored.get(docName);
		const session = this.#registry.all().find((open) => open.docName === docName);
		if (session) {
			const state = session.getState();
			const summary = session.summary();
			if (state.loaded && isCurrentSummary(summary, 'board')) {
				const stamps = [stored?.asOf ?? null, state.lastConfirmedAt].filter((s) => s !== null);
				return Object.freeze({
					gridId,
					summary,
					asOf: stamps.length > 0 ? Math.max(...stamps) : null,
					live: state.connection === 'online'
				});
			}
		}
		return stored ? Object.freeze({ gridId, ...stored, live: false }) : null;
	}

	destroy(): void {
		this.#stop();
		this.#reads++;
	}
}
