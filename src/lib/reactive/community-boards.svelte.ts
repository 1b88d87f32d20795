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
 * With `pace` the boards are opened one at a time, each when `pace()` resolves and after the one
 * before it has been read (all the rest at once when it answers null): a screen that draws from the summaries (the community map) reads the
 * documents in the moments the person is not moving the map, so no board's read (a long task of
 * Yjs decoding) lands in the middle of a pan.
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
	readonly #pace: (() => Promise<void> | null) | null;
	#wanted: readonly GridId[] = [];
	/** Grids waiting for their turn (with `pace`), in order. */
	#queue: GridId[] = [];
	#pacing = false;
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
			/**
			 * Resolves when the next board may be opened, or null: open the rest now (default:
			 * all at once).
			 */
			pace?: (() => Promise<void> | null) | null;
		}> = {}
	) {
		this.#registry = registry;
		this.#docName = options.docName ?? boardDocName;
		this.#communityId = communityId;
		this.#read = read;
		this.#summaries = options.summaries ?? null;
		this.#pace = options.pace ?? null;
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
			const missing = gridIds.filter((gridId) => !this.#held.has(gridId));
			if (this.#pace === null) {
				for (const gridId of missing) this.#open(gridId);
				if (missing.length > 0) changed = true;
			} else {
				this.#queue = missing;
				void this.#openPaced();
			}
			if (changed) this.#version++;
		});
	}

	/** Opens the queued boards one by one, each at `pace`'s word and after the last is read. */
	async #openPaced(): Promise<void> {
		if (this.#pacing) return;
		this.#pacing = true;
		try {
			while (!this.#destroyed && this.#queue.length > 0) {
				const turn = this.#pace!();
				if (turn === null) {
					// No reason to wait any more: the rest at once, read side by side.
					const rest = this.#queue.filter(
						(gridId) => !this.#held.has(gridId) && this.#wanted.includes(gridId)
					);
					this.#queue = [];
					for (const gridId of rest) this.#open(gridId);
					if (rest.length > 0) this.#version++;
					break;
				}
				await turn;
				const gridId = this.#queue.shift();
				if (this.#destroyed || gridId === undefined) break;
				if (this.#held.has(gridId) || !this.#wanted.includes(gridId)) continue;
				const held = this.#open(gridId);
				this.#version++;
				await held.loaded.catch(() => {}); // a failed read is the session's to report
			}
		} finally {
			this.#pacing = false;
		}
	}

	#open(gridId: GridId): Held<T> {
		const { session, release } = this.#registry.acquire(this.#docName(this.#communityId, gridId));
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
		return held;
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
