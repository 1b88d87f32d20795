/**
 * Every grid's board of one community at once, for the community board (or, given another
 * document name per grid, every grid's household register, for "my visits"): acquires one
 * session per grid listed in the directory (through the session registry, like `useDoc`) and exposes each
 * board's case summaries as a reactive `current`. Grids that leave the directory are released.
 *
 * Invariant: a board is held (acquired exactly once) while its grid is in the last list given to
 * `setGrids`, and released by `setGrids` or `destroy`; `current` follows every board's changes
 * through its `DocSnapshot`, so a remote edit in one grid re-reads only that grid.
 */
import { untrack } from 'svelte';
import type * as Y from 'yjs';
import { boardDocName, type CommunityId, type GridId } from '$lib/domain/ids';
import type { SessionRegistry } from '$lib/sync/session-registry';
import { DocSnapshot } from './doc-snapshot.svelte';

type Held<T> = { snapshot: DocSnapshot<T>; release: () => void; loaded: Promise<void> };

export type GridBoard<T> = Readonly<{ gridId: GridId; cases: T }>;

export class CommunityBoards<T> {
	readonly #registry: SessionRegistry;
	readonly #communityId: CommunityId;
	readonly #read: (doc: Y.Doc) => T;
	readonly #docName: (communityId: CommunityId, gridId: GridId) => string;
	// Plain bookkeeping; reactivity comes from #version and each DocSnapshot.
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	readonly #held = new Map<GridId, Held<T>>();
	#version = $state(0);
	#loadedCount = $state(0);

	constructor(
		registry: SessionRegistry,
		communityId: CommunityId,
		read: (doc: Y.Doc) => T,
		docName: (communityId: CommunityId, gridId: GridId) => string = boardDocName
	) {
		this.#registry = registry;
		this.#docName = docName;
		this.#communityId = communityId;
		this.#read = read;
	}

	/** Holds exactly these grids' boards. Safe to call from an effect: it reads no state. */
	setGrids(gridIds: readonly GridId[]): void {
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
					snapshot: new DocSnapshot(session.doc, this.#read),
					release,
					loaded: session.whenLoaded
				};
				this.#held.set(gridId, held);
				void held.loaded.then(() => {
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

	get size(): number {
		void this.#version;
		return this.#held.size;
	}

	get current(): readonly GridBoard<T>[] {
		void this.#version;
		return [...this.#held].map(([gridId, held]) => ({ gridId, cases: held.snapshot.current }));
	}

	destroy(): void {
		for (const held of this.#held.values()) {
			held.snapshot.destroy();
			held.release();
		}
		this.#held.clear();
	}
}
