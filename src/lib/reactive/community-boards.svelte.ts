/**
 * Every grid's board of one community at once, for the community board (or, given another
 * document name per grid, every grid's household register, for "my visits"): acquires one
 * session per grid listed in the directory (through the session registry, like `useDoc`) and exposes each
 * board's case summaries as a reactive `current`. Grids that leave the directory are released.
 *
 * With `summaries` (reactive/board-summaries.svelte.ts) the boards' stored summaries are read
 * first, and the documents are acquired only once those are in and a frame has passed: the first
 * screen renders from the summaries (`summaryOf`) while 12 boards of 1,000 cases load behind it,
 * and each grid's `loaded` says when its live cases replace its summary.
 *
 * Invariant: a board is held (acquired exactly once) while its grid is in the last list given to
 * `setGrids`, and released by `setGrids` or `destroy`; `current` follows every board's changes
 * through its `DocSnapshot`, so a remote edit in one grid re-reads only that grid.
 */
import { untrack } from 'svelte';
import type * as Y from 'yjs';
import { boardDocName, type CommunityId, type GridId } from '$lib/domain/ids';
import type { SessionRegistry } from '$lib/sync/session-registry';
import type { BoardSummary } from '$lib/domain/summaries';
import { DocSnapshot } from './doc-snapshot.svelte';
import type { BoardSummaries } from './board-summaries.svelte';

type Held<T> = {
	doc: Y.Doc;
	snapshot: DocSnapshot<T>;
	release: () => void;
	loaded: Promise<void>;
	isLoaded: boolean;
};

export type GridBoard<T> = Readonly<{ gridId: GridId; cases: T; loaded: boolean }>;

/** After the next paint (the first rows from summaries), or at once where there is no frame. */
const afterPaint = (run: () => void) =>
	typeof requestAnimationFrame === 'function'
		? requestAnimationFrame(() => setTimeout(run, 0))
		: setTimeout(run, 0);

export class CommunityBoards<T> {
	readonly #registry: SessionRegistry;
	readonly #communityId: CommunityId;
	readonly #read: (doc: Y.Doc) => T;
	readonly #summaries: BoardSummaries | null;
	readonly #docName: (communityId: CommunityId, gridId: GridId) => string;
	#wanted: readonly GridId[] = [];
	#destroyed = false;
	// Plain bookkeeping; reactivity comes from #version and each DocSnapshot.
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	readonly #held = new Map<GridId, Held<T>>();
	#version = $state(0);
	#loadedCount = $state(0);

	constructor(
		registry: SessionRegistry,
		communityId: CommunityId,
		read: (doc: Y.Doc) => T,
		options: Readonly<{
			/** Stored summaries to draw from while the documents load (boards only). */
			summaries?: BoardSummaries | null;
			/** Which document of each grid: its board unless told otherwise. */
			docName?: (communityId: CommunityId, gridId: GridId) => string;
		}> = {}
	) {
		this.#registry = registry;
		this.#docName = options.docName ?? boardDocName;
		this.#communityId = communityId;
		this.#read = read;
		this.#summaries = options.summaries ?? null;
	}

	/**
	 * Holds exactly these grids' boards (after reading their summaries, when there are). Safe to
	 * call from an effect: it reads no state.
	 */
	setGrids(gridIds: readonly GridId[]): void {
		this.#wanted = gridIds;
		if (this.#summaries === null) {
			this.#hold(gridIds);
			return;
		}
		void this.#summaries.setGrids(gridIds).then(() =>
			afterPaint(() => {
				if (!this.#destroyed && this.#wanted === gridIds) this.#hold(gridIds);
			})
		);
	}

	/** A grid's summary while its board is not loaded (null once loaded, or when there is none). */
	summaryOf(gridId: GridId): BoardSummary | null {
		void this.#version;
		void this.#loadedCount;
		if (this.#held.get(gridId)?.isLoaded) return null;
		return this.#summaries?.of(gridId)?.summary ?? null;
	}

	#hold(gridIds: readonly GridId[]): void {
		untrack(() => {
			// eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local lookup, not state
			const wanted = new Set(gridIds);
			let changed = false;
			for (const [gridId, held] of this.#held) {
				if (wanted.has(gridId)) continue;
				held.snapshot.destroy();
				held.release();
				this.#held.delete(gridId);
				changed = true;
			}
			for (const gridId of gridIds) {
				if (this.#held.has(gridId)) continue;
				const { session, release } = this.#registry.acquire(
					this.#docName(this.#communityId, gridId)
				);
				const held: Held<T> = {
					doc: session.doc,
					snapshot: new DocSnapshot(session.doc, this.#read),
					release,
					loaded: session.whenLoaded,
					isLoaded: false
				};
				this.#held.set(gridId, held);
				void held.loaded.then(() => {
					held.isLoaded = true;
					if (this.#held.get(gridId) === held) this.#loadedCount++;
				});
				changed = true;
			}
			if (changed) this.#version++;
		});
	}

	/** How many of the held boards have read their stored updates. */
	get loaded(): number {
		return Math.min(this.#loadedCount, this.#held.size);
	}

	/** A held, loaded board's document (what an export reads in full); null otherwise. */
	docOf(gridId: GridId): Y.Doc | null {
		const held = this.#held.get(gridId);
		return held?.isLoaded ? held.doc : null;
	}

	get size(): number {
		void this.#version;
		return this.#held.size;
	}

	get current(): readonly GridBoard<T>[] {
		void this.#version;
		void this.#loadedCount;
		return [...this.#held].map(([gridId, held]) => ({
			gridId,
			cases: held.snapshot.current,
			loaded: held.isLoaded
		}));
	}

	destroy(): void {
		this.#destroyed = true;
		this.#summaries?.destroy();
		for (const held of this.#held.values()) {
			held.snapshot.destroy();
			held.release();
		}
		this.#held.clear();
	}
}
