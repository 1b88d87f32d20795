/**
 * The community home's screen model: the community's grids (the directory document) with what
 * this member may do to them, and the commands that add and rename grids. Built by the home page
 * from its directory session and the member's context; each grid row reaches it through
 * `getGridsScreen()`.
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

export type GridsView = Readonly<{
	/** The stored directory has been read: before, an empty list means nothing yet. */
	ready: boolean;
	grids: readonly GridSnapshot[];
	/** Add, rename and settle a name: the secretary's (docs/access.md). */
	mayEdit: boolean;
}>;

export type RenameGridResult = Result<{ changed: boolean }, RenameGridReason>;

export class GridsScreen {
	readonly #directory: Pick<DocHandle<DirectorySnapshot>, 'doc' | 'snapshot' | 'ready'>;
	readonly #context: () => DirectoryContext;

	constructor(
		directory: Pick<DocHandle<DirectorySnapshot>, 'doc' | 'snapshot' | 'ready'>,
		context: () => DirectoryContext
	) {
		this.#directory = directory;
		this.#context = context;
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
