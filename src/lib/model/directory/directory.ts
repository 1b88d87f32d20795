/**
 * Directory: a community's list of grids, one Y.Doc named `c/{communityId}/directory`.
 *
 *   doc.getMap('grids'): gridId → Y.Map {
 *     id, createdAt, createdBy, createdByDevice,
 *     name: Y.Array (field log of the grid's name),
 *     deletedAt?, deletedBy?                      (tombstone; the entry is never removed)
 *     restoredAt?, restoredBy?                    (brought back: live again while
 *                                                  restoredAt >= deletedAt)
 *   }
 *
 * Invariant: a grid's Y.Map and its name log are created once, by `addGrid`, and only ever
 * appended to or tombstoned afterwards, so concurrent commands never replace each other's
 * Y types. A concurrent rename keeps both names visible until someone picks one. Only
 * secretaries write the directory (docs/access.md): every command checks the role first and,
 * refused, writes nothing.
 */

import * as Y from 'yjs';
import { canAdminister, type AccessClaims } from '../../wire/access';
import { validateGridName, type GridNameReason } from '../../domain/case-input';
import { isValidIdSegment, newGridId, type EditId, type GridId } from '../../domain/ids';
import { compareByAtThenId } from '../../domain/ordering';
import { err, ok, type Result } from '../../domain/result';
import {
	appendFieldEdit,
	createFieldLog,
	readFieldState,
	sameHeads,
	type FieldConflict,
	type FieldLog
} from '../field-log';
import { ORIGIN_LOCAL_EDIT } from '../origins';
import { commandTime, type CommandContext } from '../command-context';

/** What the directory's commands check: the acting member's role. */
export type DirectoryAuthority = Readonly<{ claims: Pick<AccessClaims, 'role'> }>;
export type DirectoryContext = CommandContext<DirectoryAuthority>;

export type GridSnapshot = Readonly<{
	id: GridId;
	name: string;
	nameConflict: FieldConflict<string> | null;
	/** The name's head edits, to pass back to `renameGrid` as what the renamer saw. */
	nameHeads: readonly EditId[];
	createdAt: number;
	createdBy: string;
}>;

export type DirectorySnapshot = Readonly<{ grids: readonly GridSnapshot[] }>;

export type AddGridReason = GridNameReason | 'not_permitted';
export type RenameGridReason = GridNameReason | 'grid_not_found' | 'not_permitted';
export type DeleteGridReason = 'grid_not_found' | 'not_permitted';
export type RestoreGridReason = 'grid_not_found' | 'not_deleted' | 'not_permitted';

/** A tombstoned grid, for the secretary's "recently deleted" list. */
export type DeletedGridSnapshot = Readonly<{
	id: GridId;
	name: string;
	deletedAt: number;
	deletedBy: string;
}>;

/** The directory is the secretary's to edit. */
export const mayEditDirectory = (context: DirectoryContext): boolean =>
	canAdminister(context.authority.claims.role);

const isString = (value: unknown): value is string => typeof value === 'string';

function gridsMap(doc: Y.Doc): Y.Map<unknown> {
	return doc.getMap<unknown>('grids');
}

type GridRecord = Readonly<{ map: Y.Map<unknown>; name: FieldLog }>;

/**
 * A grid is deleted while its tombstone is later than its last restore. Concurrent delete and
 * restore: the later stamp wins, a tie keeps the grid (nothing hidden by a race).
 */
function isDeleted(map: Y.Map<unknown>): boolean {
	const deletedAt = map.get('deletedAt');
	if (typeof deletedAt !== 'number') return map.get('deletedAt') !== undefined;
	const restoredAt = map.get('restoredAt');
	return typeof restoredAt !== 'number' || restoredAt < deletedAt;
}

/** A live (not tombstoned) grid, or null. */
function liveGrid(doc: Y.Doc, gridId: GridId): GridRecord | null {
	const map = gridsMap(doc).get(gridId);
	if (!(map instanceof Y.Map) || isDeleted(map)) return null;
	const name = map.get('name');
	return name instanceof Y.Array ? { map, name } : null;
}

export function addGrid(
	doc: Y.Doc,
	input: Readonly<{ name: string }>,
	context: DirectoryContext
): Result<GridId, AddGridReason> {
	if (!mayEditDirectory(context)) return err('not_permitted');
	const { actor } = context;
	const at = commandTime(context);
	const name = validateGridName(input.name);
	if (!name.ok) return name;
	const id = newGridId();
	doc.transact(() => {
		const grid = new Y.Map<unknown>();
		gridsMap(doc).set(id, grid);
		grid.set('id', id);
		grid.set('createdAt', at);
		grid.set('createdBy', actor.name);
		grid.set('createdByDevice', actor.deviceId);
		grid.set('name', createFieldLog(name.value, actor, at));
	}, ORIGIN_LOCAL_EDIT);
	return ok(id);
}

/**
 * Renames a grid. Renaming to the shown name while a concurrent rename is pending settles the
 * conflict on that name; renaming to the shown name with no conflict writes nothing. `seen` is
 * the name's heads when the rename form opened (`GridSnapshot.nameHeads`): a rename that arrived
 * meanwhile then stays visible as a conflict instead of being overwritten.
 */
export function renameGrid(
	doc: Y.Doc,
	gridId: GridId,
	input: Readonly<{ name: string; seen?: readonly EditId[] }>,
	context: DirectoryContext
): Result<{ changed: boolean }, RenameGridReason> {
	if (!mayEditDirectory(context)) return err('not_permitted');
	const { actor } = context;
	const { name, seen } = input;
	const at = commandTime(context);
	const valid = validateGridName(name);
	if (!valid.ok) return valid;
	const grid = liveGrid(doc, gridId);
	if (!grid) return err('grid_not_found');
	const current = readFieldState(grid.name, isString, '');
	const sawCurrent = seen === undefined || sameHeads(seen, current.heads);
	if (current.value === valid.value && current.conflict === null && sawCurrent) {
		return ok({ changed: false });
	}
	doc.transact(() => {
		appendFieldEdit(grid.name, valid.value, isString, actor, at, undefined, seen);
	}, ORIGIN_LOCAL_EDIT);
	return ok({ changed: true });
}

/** Tombstones a grid: it leaves the directory, its record and its board document stay. */
export function deleteGrid(
	doc: Y.Doc,
	gridId: GridId,
	context: DirectoryContext
): Result<{ changed: boolean }, DeleteGridReason> {
	if (!mayEditDirectory(context)) return err('not_permitted');
	const grid = liveGrid(doc, gridId);
	if (!grid) return err('grid_not_found');
	const restoredAt = grid.map.get('restoredAt');
	// After a restore the tombstone must be later than it, whatever this device's clock says.
	const at = Math.max(commandTime(context), typeof restoredAt === 'number' ? restoredAt + 1 : 0);
	doc.transact(() => {
		grid.map.set('deletedAt', at);
		grid.map.set('deletedBy', context.actor.name);
	}, ORIGIN_LOCAL_EDIT);
	return ok({ changed: true });
}

/**
 * Brings a deleted grid back into the directory, as it was: its record, name log and board
 * document were never removed. The tombstone stays; `restoredAt` (not earlier than it) and
 * `restoredBy` record the restore, and the relay's history keeps both (ARCHITECTURE.md "Back
 * in time").
 */
export function restoreGrid(
	doc: Y.Doc,
	gridId: GridId,
	context: DirectoryContext
): Result<{ changed: boolean }, RestoreGridReason> {
	if (!mayEditDirectory(context)) return err('not_permitted');
	const map = gridsMap(doc).get(gridId);
	if (!(map instanceof Y.Map) || !(map.get('name') instanceof Y.Array)) {
		return err('grid_not_found');
	}
	if (!isDeleted(map)) return err('not_deleted');
	const deletedAt = map.get('deletedAt');
	const at = Math.max(commandTime(context), typeof deletedAt === 'number' ? deletedAt : 0);
	doc.transact(() => {
		map.set('restoredAt', at);
		map.set('restoredBy', context.actor.name);
	}, ORIGIN_LOCAL_EDIT);
	return ok({ changed: true });
}

/** The deleted grids, most recently deleted first. */
export function readDeletedGrids(doc: Y.Doc): readonly DeletedGridSnapshot[] {
	const deleted: DeletedGridSnapshot[] = [];
	for (const [key, value] of gridsMap(doc).entries()) {
		if (!(value instanceof Y.Map) || !isValidIdSegment(key) || !isDeleted(value)) continue;
		const name = value.get('name');
		const deletedAt = value.get('deletedAt');
		const deletedBy = value.get('deletedBy');
		if (!(name instanceof Y.Array) || typeof deletedAt !== 'number') continue;
		deleted.push(
			Object.freeze({
				id: key as GridId,
				name: readFieldState(name, isString, '').value,
				deletedAt,
				deletedBy: typeof deletedBy === 'string' ? deletedBy : ''
			})
		);
	}
	return deleted.sort((a, b) => b.deletedAt - a.deletedAt || (a.id < b.id ? -1 : 1));
}

function readGrid(key: string, value: unknown): GridSnapshot | null {
	if (!(value instanceof Y.Map) || !isValidIdSegment(key)) return null;
	if (isDeleted(value)) return null;
	const createdAt = value.get('createdAt');
	const createdBy = value.get('createdBy');
	const name = value.get('name');
	if (typeof createdAt !== 'number' || !(name instanceof Y.Array)) return null;
	const state = readFieldState(name, isString, '');
	return Object.freeze({
		id: key as GridId,
		name: state.value,
		nameConflict: state.conflict,
		nameHeads: state.heads,
		createdAt,
		createdBy: typeof createdBy === 'string' ? createdBy : ''
	});
}

/** The live grids, oldest first (by createdAt, then id). */
export function readDirectory(doc: Y.Doc): DirectorySnapshot {
	const grids: GridSnapshot[] = [];
	for (const [key, value] of gridsMap(doc).entries()) {
		const grid = readGrid(key, value);
		if (grid) grids.push(grid);
	}
	grids.sort((a, b) =>
		compareByAtThenId({ at: a.createdAt, id: a.id }, { at: b.createdAt, id: b.id })
	);
	return Object.freeze({ grids: Object.freeze(grids) });
}
