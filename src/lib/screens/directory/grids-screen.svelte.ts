/**
 * The community home's screen model: the community's grids (the directory document) with what
 * this member may do to them, and the commands that add and rename grids. Built by the home page
 * from its directory session and the member's context; each grid row reaches it through
 * `getGridsScreen()`.
 *
 * With the boards' summaries (reactive/board-summaries.svelte.ts) it also gives each grid's open
 * and overdue counts, overdue by the community's deadline rules, and when they are as of.
 *
 * Invariant: the only caller of the grid commands; every method returns the command's result
 * for the view to show, and the context is read when the command runs (never a stale role).
 */
import { createContext } from 'svelte';
import type { EditId, GridId } from '$lib/domain/ids';
import type { Result } from '$lib/domain/result';
import {
	addGrid,
	mayEditDirectory,
	renameGrid,
	type AddGridReason,
	type DirectoryContext,
	type DirectorySnapshot,
	type GridSnapshot,
	type RenameGridReason
} from '$lib/model/directory';
import type { DocHandle } from '$lib/reactive/use-doc.svelte';
import type { BoardSummaries } from '$lib/reactive/board-summaries.svelte';
import { openAndOverdue } from '$lib/domain/summaries';
import { readCommunitySettings } from '$lib/model/directory';

export type GridsView = Readonly<{
	/** The stored directory has been read: before, an empty list means nothing yet. */
	ready: boolean;
	grids: readonly GridSnapshot[];
	/** Add, rename and settle a name: the secretary's (docs/access.md). */
	mayEdit: boolean;
}>;

/** A grid's counts on the community home; `asOf` null with `live` false: never heard the relay. */
export type GridCounts = Readonly<{
	open: number;
	overdue: number;
	live: boolean;
	asOf: number | null;
}>;

export type RenameGridResult = Result<{ changed: boolean }, RenameGridReason>;

export class GridsScreen {
	readonly #directory: Pick<DocHandle<DirectorySnapshot>, 'doc' | 'snapshot' | 'ready'>;
	readonly #context: () => DirectoryContext;
	readonly #summaries: Pick<BoardSummaries, 'of' | 'ready'> | null;

	constructor(
		directory: Pick<DocHandle<DirectorySnapshot>, 'doc' | 'snapshot' | 'ready'>,
		context: () => DirectoryContext,
		summaries: Pick<BoardSummaries, 'of' | 'ready'> | null = null
	) {
		this.#directory = directory;
		this.#context = context;
		this.#summaries = summaries;
	}

	/** A grid's open and overdue counts from its board's summary at `now`; null when none yet. */
	counts(gridId: GridId, now: number): GridCounts | null {
		const found = this.#summaries?.of(gridId) ?? null;
		if (!found) return null;
		// Read through the snapshot, so the counts follow a change of the deadline rules.
		void this.#directory.snapshot.current;
		const { deadlineRules } = readCommunitySettings(this.#directory.doc);
		return Object.freeze({
			...openAndOverdue(found.summary, now, deadlineRules),
			live: found.live,
			asOf: found.asOf
		});
	}

	/** The boards' stored summaries have been read (before, no counts means "not yet"). */
	get countsReady(): boolean {
		return this.#summaries?.ready ?? false;
	}

	get current(): GridsView {
		return Object.freeze({
			ready: this.#directory.ready,
			grids: this.#directory.snapshot.current.grids,
			mayEdit: mayEditDirectory(this.#context())
		});
	}

	addGrid(name: string): Result<GridId, AddGridReason> {
		return addGrid(this.#directory.doc, { name }, this.#context());
	}

	/** Renames over the name's heads the form opened with (`seen`): a rename meanwhile stays. */
	renameGrid(gridId: GridId, name: string, seen: readonly EditId[]): RenameGridResult {
		return renameGrid(this.#directory.doc, gridId, { name, seen }, this.#context());
	}

	/** Settles a concurrent rename on `name`, over every name shown. */
	pickGridName(grid: GridSnapshot, name: string): RenameGridResult {
		return this.renameGrid(grid.id, name, grid.nameHeads);
	}
}

export const [getGridsScreen, setGridsScreen] = createContext<GridsScreen>();
