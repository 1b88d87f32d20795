/**
 * "Recently deleted" (the secretary's): the screen models that delete and bring back what the
 * community deleted. Grids: the directory's tombstones (deleteGrid / restoreGrid); cases: one
 * board's `deleted` entries (deleteCase / restoreCase, domain/case-deletion.ts). Nothing deleted
 * was ever removed, so a restore brings it back as it is, with every edit made meanwhile.
 *
 * Invariant: the only callers of those commands outside the case page; every method returns the
 * command's result for the view to show; the context is read when the command runs; what is
 * offered is what the commands allow (the secretary's).
 */
import type * as Y from 'yjs';
import { mayOperate } from '$lib/domain/case-permissions';
import type { CaseId, GridId } from '$lib/domain/ids';
import type { Result } from '$lib/domain/result';
import { restoreCase, type DeletedCase, type RestoreCaseReason } from '$lib/model/case';
import {
	deleteGrid,
	mayEditDirectory,
	readDeletedGrids,
	readDirectory,
	restoreGrid,
	type DeleteGridReason,
	type DeletedGridSnapshot,
	type DirectoryContext,
	type GridSnapshot,
	type RestoreGridReason
} from '$lib/model/directory';
import type { DocHandle } from '$lib/reactive/use-doc.svelte';
import { boardContext } from '../case/case-context';

type Handle<T> = Pick<DocHandle<T>, 'doc' | 'snapshot' | 'ready'>;

/** The directory as the grids' page reads it: live grids and the tombstoned ones. */
export type GridsAndDeleted = Readonly<{
	grids: readonly GridSnapshot[];
	deleted: readonly DeletedGridSnapshot[];
}>;

export function readGridsAndDeleted(doc: Y.Doc): GridsAndDeleted {
	return Object.freeze({ grids: readDirectory(doc).grids, deleted: readDeletedGrids(doc) });
}

export type GridDeletionView = GridsAndDeleted & Readonly<{ ready: boolean; mayEdit: boolean }>;

export class GridDeletionScreen {
	readonly #directory: Handle<GridsAndDeleted>;
	readonly #context: () => DirectoryContext;

	constructor(directory: Handle<GridsAndDeleted>, context: () => DirectoryContext) {
		this.#directory = directory;
		this.#context = context;
	}

	get current(): GridDeletionView {
		return Object.freeze({
			...this.#directory.snapshot.current,
			ready: this.#directory.ready,
			mayEdit: mayEditDirectory(this.#context())
		});
	}

	delete(gridId: GridId): Result<{ changed: boolean }, DeleteGridReason> {
		return deleteGrid(this.#directory.doc, gridId, this.#context());
	}

	restore(gridId: GridId): Result<{ changed: boolean }, RestoreGridReason> {
		return restoreGrid(this.#directory.doc, gridId, this.#context());
	}
}

export type DeletedCasesView = Readonly<{
	ready: boolean;
	/** Only the secretary deletes and restores cases (case-permissions.ts). */
	mayRestore: boolean;
	cases: readonly DeletedCase[];
}>;

type Member = Parameters<typeof boardContext>[0];

export class DeletedCasesScreen {
	readonly #board: Handle<readonly DeletedCase[]>;
	readonly #member: Member;
	readonly #gridId: GridId;

	constructor(board: Handle<readonly DeletedCase[]>, member: Member, gridId: GridId) {
		this.#board = board;
		this.#member = member;
		this.#gridId = gridId;
	}

	get current(): DeletedCasesView {
		const mayRestore = mayOperate(this.#member.claims, this.#gridId, 'delete');
		return Object.freeze({
			ready: this.#board.ready,
			mayRestore,
			cases: mayRestore ? this.#board.snapshot.current : []
		});
	}

	restore(caseId: CaseId): Result<CaseId, RestoreCaseReason> {
		return restoreCase(this.#board.doc, caseId, boardContext(this.#member, this.#gridId));
	}
}
