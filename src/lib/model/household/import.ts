/**
 * Household import: many checked household inputs (from a spreadsheet, parsed and previewed by
 * the import screen) written into a grid's register, with duplicates found by address.
 *
 *   findImportDuplicates(doc, inputs)   which inputs share an address key with a live household
 *                                       (or an earlier input of the same file)
 *   importHouseholds(doc, inputs, decisions, context, options)
 *       new address → a new household
 *       duplicate   → decisions[addressKey]: 'merge' (the default is 'skip'): residents not
 *                     already there are added (same name and same ID number, or both without
 *                     one, is the same resident); empty fields are filled (the note; a matched
 *                     resident's phone, birth year, note, tags); a non-empty value is never
 *                     overwritten; the colour is never changed
 *
 * The inputs are validated in full before anything is written; then they are written in chunks
 * of `chunkSize` (one transaction each), yielding to the event loop between chunks and reporting
 * progress, so a 5,000-row file neither freezes the page nor reaches the relay as one update.
 *
 * Invariant: one address key never gets a second live household, whatever the file holds (the
 * same address twice in one file merges into the first, or is skipped); an invalid row refuses
 * the whole import before anything is written (the preview shows per-row errors first).
 */

import type * as Y from 'yjs';
import {
	addressKey,
	parseAddress,
	type HouseholdId,
	type HouseholdInput
} from '../../domain/household';
import { err, ok, type Result } from '../../domain/result';
import { commandTime } from '../command-context';
import { ORIGIN_LOCAL_EDIT } from '../origins';
import {
	insertHousehold,
	insertResident,
	liveAddressIndex,
	mayWriteHouseholds,
	validateHousehold,
	type CreateHouseholdReason,
	type HouseholdContext,
	type Stamp,
	type ValidHousehold
} from './commands';
import {
	appendEdit,
	findHousehold,
	readHouseholdField,
	readResidentFieldStates,
	parseResidentRecord,
	tagField,
	type HouseholdRecord
} from './schema';

export type DuplicateDecision = 'merge' | 'skip';

export type ImportDuplicate = Readonly<{
	/** The input's index in the file. */
	index: number;
	addressKey: string;
	/** The live household it matches, or null when it matches an earlier row of the file. */
	householdId: HouseholdId | null;
	/** The earlier row it matches, or null. */
	sameAsRow: number | null;
}>;

/** The inputs whose address key a live household (or an earlier input) already has. */
export function findImportDuplicates(
	doc: Y.Doc,
	inputs: readonly HouseholdInput[]
): readonly ImportDuplicate[] {
	const live = liveAddressIndex(doc);
	const firstRow = new Map<string, number>();
	const found: ImportDuplicate[] = [];
	inputs.forEach((input, index) => {
		const address = parseAddress(input.address);
		if (!address.ok) return;
		const key = addressKey(address.value);
		const householdId = live.get(key) ?? null;
		const earlier = firstRow.get(key);
		if (householdId !== null || earlier !== undefined) {
			found.push(
				Object.freeze({ index, addressKey: key, householdId, sameAsRow: earlier ?? null })
			);
		}
		if (earlier === undefined) firstRow.set(key, index);
	});
	return Object.freeze(found);
}

export type ImportReport = Readonly<{
	created: number;
	merged: number;
	skipped: number;
	residentsAdded: number;
}>;

export type ImportRowError = Readonly<{ index: number; reason: CreateHouseholdReason }>;

export type ImportOptions = Readonly<{
	chunkSize?: number;
	/** Called after each chunk with how many inputs are done, of how many. */
	onProgress?: (done: number, total: number) => void;
}>;

export type ImportReason = 'not_permitted' | 'invalid_rows';

/** Merges a checked input into a live household; returns how many residents it added. */
function mergeInto(record: HouseholdRecord, valid: ValidHousehold, stamp: Stamp): number {
	const { actor } = stamp.context;
	const note = readHouseholdField(record, 'note');
	if (note.value === '' && note.conflict === null && valid.note !== '') {
		appendEdit(record.fields, 'note', valid.note, note.heads, actor, stamp.at);
	}
	const existing = [...record.residents.entries()]
		.map(([key, value]) => parseResidentRecord(key, value))
		.filter((resident) => resident !== null)
		.map((resident) => ({ record: resident, states: readResidentFieldStates(resident) }))
		.filter(({ states }) => !states.removed.value);
	let added = 0;
	const next = existing.length;
	for (const resident of valid.residents) {
		// The same resident: the same name and the same ID number, or both without one.
		const match = existing.find(
			({ states }) =>
				states.name.value === resident.values.name &&
				states.idNumber.value === resident.values.idNumber
		);
		if (!match) {
			insertResident(record, resident, stamp, next + added);
			added++;
			continue;
		}
		for (const field of ['phone', 'birthYear', 'note'] as const) {
			const state = match.states[field];
			const next = resident.values[field];
			if ((state.value === '' || state.value === null) && state.conflict === null) {
				if (next !== '' && next !== null) {
					appendEdit(match.record.fields, field, next, state.heads, actor, stamp.at);
				}
			}
		}
		for (const tag of resident.tags) {
			const state = match.states.tags[tag];
			if (!state.value && state.heads.length === 0) {
				appendEdit(match.record.fields, tagField(tag), true, [], actor, stamp.at);
			}
		}
	}
	return added;
}

const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Imports checked inputs. Refused with `invalid_rows` (and the rows' reasons) when any input is
 * invalid; nothing is written then.
 */
export async function importHouseholds(
	doc: Y.Doc,
	inputs: readonly HouseholdInput[],
	decisions: Readonly<Record<string, DuplicateDecision>>,
	context: HouseholdContext,
	options: ImportOptions = {}
): Promise<Result<ImportReport, ImportReason> & { errors?: readonly ImportRowError[] }> {
	if (!mayWriteHouseholds(context.authority)) return err('not_permitted');
	const at = commandTime(context);
	const today = new Date(at);
	const valid: ValidHousehold[] = [];
	const errors: ImportRowError[] = [];
	inputs.forEach((input, index) => {
		const checked = validateHousehold(input, {}, today);
		if (checked.ok) valid.push(checked.value);
		else errors.push(Object.freeze({ index, reason: checked.reason }));
	});
	if (errors.length > 0) return { ...err('invalid_rows'), errors: Object.freeze(errors) };
	const stamp: Stamp = { context, at };
	const live = liveAddressIndex(doc);
	const chunkSize = Math.max(1, options.chunkSize ?? 200);
	let created = 0;
	let merged = 0;
	let skipped = 0;
	let residentsAdded = 0;
	for (let start = 0; start < valid.length; start += chunkSize) {
		doc.transact(() => {
			for (const household of valid.slice(start, start + chunkSize)) {
				const owner = live.get(household.key);
				if (owner === undefined) {
					live.set(household.key, insertHousehold(doc, household, stamp));
					created++;
					residentsAdded += household.residents.length;
					continue;
				}
				const record = findHousehold(doc, owner);
				if (decisions[household.key] !== 'merge' || !record) {
					skipped++;
					continue;
				}
				residentsAdded += mergeInto(record, household, stamp);
				merged++;
			}
		}, ORIGIN_LOCAL_EDIT);
		options.onProgress?.(Math.min(start + chunkSize, valid.length), valid.length);
		if (start + chunkSize < valid.length) await nextTask();
	}
	return ok(Object.freeze({ created, merged, skipped, residentsAdded }));
}
