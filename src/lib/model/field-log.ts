/**
 * Field log: a multi-value register for one field, kept in a Y.Array of plain edits.
 *
 *   edit = { id: EditId, value, bases: EditId[], by, deviceId, at }
 *
 * `bases` are the heads the editor saw when writing. The heads are the edits no other edit
 * names as a base: one head is a plain value; several heads with different values are a
 * conflict, and every one of those values stays visible until someone writes over all of
 * them (a normal edit and a "pick one" resolution both take every current head as bases).
 *
 * Invariant: the log is append-only and edits are never changed, so replicas that hold the
 * same edits compute the same heads, the same displayed value (the head with the greatest
 * (at, id)) and the same conflict, whatever order the edits arrived in. A sequential edit
 * always wins over what its author saw, whatever the clocks say; `at` only orders concurrent
 * heads for display. An edit whose value this app version cannot read is skipped, and so it is
 * never taken as a base: an older device cannot silently supersede a value it cannot show.
 */

import * as Y from 'yjs';
import type { Actor } from '../domain/actor';
import { compareByAtThenId } from '../domain/ordering';
import { isValidIdSegment, newEditId, type EditId } from '../domain/ids';

export type FieldValue = string | number | boolean | null;

export type FieldEdit<T extends FieldValue> = Readonly<{
	id: EditId;
	value: T;
	bases: readonly EditId[];
	by: string;
	deviceId: string;
	at: number;
}>;

export type FieldCandidate<T extends FieldValue> = Readonly<{
	value: T;
	by: string;
	deviceId: string;
	at: number;
	editId: EditId;
}>;

/** Concurrent values, one per distinct value, the displayed one first. */
export type FieldConflict<T extends FieldValue> = Readonly<{
	values: readonly FieldCandidate<T>[];
}>;

export type FieldState<T extends FieldValue> = Readonly<{
	value: T;
	conflict: FieldConflict<T> | null;
	/** The ids of the current heads: what an editor "saw", to pass back as an edit's bases. */
	heads: readonly EditId[];
}>;

/** The Y type a field log lives in; its items are read as unknown, since peers may be older or newer. */
export type FieldLog = Y.Array<unknown>;

export type IsFieldValue<T extends FieldValue> = (value: unknown) => value is T;

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A frozen copy of a stored edit, or null when it is malformed or its value is not a T. */
export function parseFieldEdit<T extends FieldValue>(
	raw: unknown,
	isValue: IsFieldValue<T>
): FieldEdit<T> | null {
	if (!isRecord(raw)) return null;
	const { id, value, bases, by, deviceId, at } = raw;
	if (!isValidIdSegment(id) || !isValue(value)) return null;
	if (!Array.isArray(bases) || !bases.every(isValidIdSegment)) return null;
	if (typeof by !== 'string' || typeof deviceId !== 'string') return null;
	if (typeof at !== 'number' || !Number.isFinite(at)) return null;
	return Object.freeze({
		id: id as EditId,
		value,
		bases: Object.freeze([...bases] as EditId[]),
		by,
		deviceId,
		at
	});
}

export function readFieldEdits<T extends FieldValue>(
	log: FieldLog,
	isValue: IsFieldValue<T>
): readonly FieldEdit<T>[] {
	const edits: FieldEdit<T>[] = [];
	for (const raw of log.toArray()) {
		const edit = parseFieldEdit(raw, isValue);
		if (edit) edits.push(edit);
	}
	return edits;
}

/** The edits no other edit names as a base, ordered by (at, id) descending: the displayed one first. */
export function fieldHeads<T extends FieldValue>(
	edits: readonly FieldEdit<T>[]
): readonly FieldEdit<T>[] {
	const superseded = new Set<string>();
	for (const edit of edits) for (const base of edit.bases) superseded.add(base);
	const heads = new Map<string, FieldEdit<T>>();
	// An edit delivered twice (same id) counts once.
	for (const edit of edits) if (!superseded.has(edit.id)) heads.set(edit.id, edit);
	return [...heads.values()].sort((a, b) => compareByAtThenId(b, a));
}

/** Resolves a set of edits into the displayed value and any conflict; `fallback` when empty. */
export function resolveFieldState<T extends FieldValue>(
	edits: readonly FieldEdit<T>[],
	fallback: T
): FieldState<T> {
	const heads = fieldHeads(edits);
	const top = heads[0];
	if (top === undefined) return Object.freeze({ value: fallback, conflict: null, heads: [] });
	const candidates: FieldCandidate<T>[] = [];
	const seen = new Set<T>();
	for (const head of heads) {
		// Two people who typed the same thing concurrently do not disagree.
		if (seen.has(head.value)) continue;
		seen.add(head.value);
		candidates.push(
			Object.freeze({
				value: head.value,
				by: head.by,
				deviceId: head.deviceId,
				at: head.at,
				editId: head.id
			})
		);
	}
	const conflict =
		candidates.length > 1 ? Object.freeze({ values: Object.freeze(candidates) }) : null;
	const ids = Object.freeze(heads.map((head) => head.id));
	return Object.freeze({ value: top.value, conflict, heads: ids });
}

/** Whether `seen` names exactly the current heads (in any order). */
export function sameHeads(seen: readonly EditId[], heads: readonly EditId[]): boolean {
	if (seen.length !== heads.length) return false;
	const set = new Set(heads);
	return seen.every((id) => set.has(id));
}

export function readFieldState<T extends FieldValue>(
	log: FieldLog,
	isValue: IsFieldValue<T>,
	fallback: T
): FieldState<T> {
	return resolveFieldState(readFieldEdits(log, isValue), fallback);
}

function newEdit<T extends FieldValue>(
	value: T,
	bases: readonly EditId[],
	actor: Actor,
	at: number,
	id: EditId
): FieldEdit<T> {
	return { id, value, bases: [...bases], by: actor.name, deviceId: actor.deviceId, at };
}

/** A new, not yet integrated log holding a first edit; set it into a Y.Map inside a transaction. */
export function createFieldLog<T extends FieldValue>(
	value: T,
	actor: Actor,
	at: number,
	id: EditId = newEditId()
): FieldLog {
	const log = new Y.Array<unknown>();
	log.push([newEdit(value, [], actor, at, id)]);
	return log;
}

/**
 * Appends an edit that supersedes the heads its writer saw (this is also how a conflict is
 * resolved). `seen` defaults to the current heads, right for an action taken on what is shown
 * this instant; a form opened earlier passes the heads it was seeded from, so an edit that
 * arrived while it was open becomes a visible conflict instead of being overwritten.
 * Call inside a command's transaction.
 */
export function appendFieldEdit<T extends FieldValue>(
	log: FieldLog,
	value: T,
	isValue: IsFieldValue<T>,
	actor: Actor,
	at: number,
	id: EditId = newEditId(),
	seen?: readonly EditId[]
): FieldEdit<T> {
	const bases = seen ?? fieldHeads(readFieldEdits(log, isValue)).map((head) => head.id);
	const edit = newEdit(value, bases, actor, at, id);
	log.push([edit]);
	return edit;
}
