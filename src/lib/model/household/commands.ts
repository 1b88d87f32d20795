/**
 * Household commands: every write to a grid's household register (layout: ./schema.ts). Each
 * takes the document, its arguments and one context (model/command-context.ts) whose authority
 * names the grid the document belongs to; only the secretary and that grid's members may write
 * (the access matrix's cell, src/lib/wire/access.ts, which the relay enforces too). Each
 * validates through ./validate.ts, then runs one `doc.transact(fn, ORIGIN_LOCAL_EDIT)`.
 *
 *   createHousehold      a household with its address, colour (+ reason), note, residents
 *   editHouseholdField   an address part, buildingId, note or visit interval (field log)
 *   setColour            a colour edit with its reason (required for yellow and red)
 *   addResident / editResidentField / setResidentTag / setResidentRemoved (moved out, or back)
 *   deleteHousehold / restoreHousehold   the tombstone (a boolean log: both directions kept)
 *   recordVisit          a visit record with its photos (refs of the photo pipeline)
 *   linkFollowUp         a visit's follow-up case or task (./follow-ups.ts makes both at once)
 *   recordExport         who exported what, when (the secretary reads the list)
 *
 * Edits take `seen` (the heads a form was opened on); a value written over heads that moved on
 * becomes a visible conflict, and writing the shown value of a field in conflict settles it.
 *
 * Invariant: a refused command writes nothing and says why; an accepted one only appends (field
 * log edits, list items, new records), every entry stamped with the actor and the member.
 */

import * as Y from 'yjs';
import {
	addressKey,
	parseAddress,
	parseBoundedText,
	VISIT_TEXT_MAX,
	RESIDENT_NAME_MAX,
	isResidentTag,
	type AddressReason,
	type HouseholdAddress,
	type HouseholdColour,
	type HouseholdId,
	type HouseholdInput,
	type ResidentId,
	type ResidentInput,
	type ResidentTag,
	type VisitId
} from '../../domain/household';
import { isValidIdSegment, newEditId, newId, type EditId } from '../../domain/ids';
import { err, ok, type Result } from '../../domain/result';
import { accessFor } from '../../wire/access';
import { householdsDocName } from '../../wire/doc-names';
import { parsePhotoRef, type PhotoInput, type PhotoRef } from '../case/photos';
import { commandTime, type Authority, type CommandContext } from '../command-context';
import type { FieldState, FieldValue } from '../field-log';
import { ORIGIN_LOCAL_EDIT } from '../origins';
import { writableLogSlot } from '../slots';
import {
	appendEdit,
	COLOURS_KEY,
	exportsArray,
	findHousehold,
	findResident,
	householdsMap,
	LINKS_KEY,
	readColourEdits,
	readColourState,
	readHouseholdField,
	readHouseholdFieldStates,
	readResidentFieldStates,
	residentFieldState,
	storedItems,
	tagField,
	VISITS_KEY,
	type EditableHouseholdField,
	type EditableResidentField,
	type HouseholdInitial,
	type HouseholdRecord,
	type ResidentInitial
} from './schema';
import {
	validateColour,
	validateHouseholdField,
	validateResident,
	validateResidentField,
	type ColourReason,
	type HouseholdFieldReason,
	type ResidentReason,
	type ValidResident
} from './validate';

/** Who acts on which grid's register: the member's authority and the document's grid. */
export type HouseholdAuthority = Authority & Readonly<{ gridId: string }>;
export type HouseholdContext = CommandContext<HouseholdAuthority>;
/** The heads a form was opened on; without it, the heads there now. */
export type SeenOption = Readonly<{ seen?: readonly EditId[] }>;

export type Changed = Readonly<{ changed: boolean }>;
const CHANGED: Changed = Object.freeze({ changed: true });
const UNCHANGED: Changed = Object.freeze({ changed: false });

/** The secretary, or a member of this grid: the access matrix's write cell. */
export function mayWriteHouseholds(authority: HouseholdAuthority): boolean {
	const { claims, gridId } = authority;
	if (!isValidIdSegment(gridId) || !isValidIdSegment(claims.cid)) return false;
	return accessFor(claims, householdsDocName(claims.cid, gridId)) === 'write';
}

export type CreateHouseholdReason =
	| 'not_permitted'
	| 'duplicate_address'
	| AddressReason
	| ColourReason
	| ResidentReason
	| 'note_too_long'
	| 'building_invalid'
	| 'interval_invalid';

/** Extra facts a household may be created with (the form's building match, its own interval). */
export type HouseholdExtras = Readonly<{ buildingId?: string; visitIntervalDays?: number }>;

/** A household input checked in full: what `insertHousehold` writes. */
export type ValidHousehold = Readonly<{
	address: HouseholdAddress;
	key: string;
	colour: HouseholdColour;
	reason: string;
	note: string;
	buildingId: string;
	visitIntervalDays: number;
	residents: readonly ValidResident[];
}>;

export function validateHousehold(
	input: HouseholdInput,
	extras: HouseholdExtras,
	today: Date
): Result<ValidHousehold, Exclude<CreateHouseholdReason, 'not_permitted' | 'duplicate_address'>> {
	const address = parseAddress(input.address);
	if (!address.ok) return address;
	const colour = validateColour(input.colour, input.colourReason);
	if (!colour.ok) return colour;
	const note = validateHouseholdField('note', input.note);
	if (!note.ok) return err('note_too_long');
	const building = validateHouseholdField('buildingId', extras.buildingId ?? '');
	if (!building.ok) return err('building_invalid');
	const interval = validateHouseholdField(
		'visitIntervalDays',
		String(extras.visitIntervalDays ?? 0)
	);
	if (!interval.ok) return interval;
	const residents: ValidResident[] = [];
	for (const resident of input.residents) {
		const valid = validateResident(resident, today);
		if (!valid.ok) return valid;
		residents.push(valid.value);
	}
	return ok(
		Object.freeze({
			address: address.value,
			key: addressKey(address.value),
			colour: colour.value.colour,
			reason: colour.value.reason,
			note: note.value,
			buildingId: building.value,
			visitIntervalDays: interval.value,
			residents: Object.freeze(residents)
		})
	);
}

/** A household's address as its field states show it now. */
function shownAddress(states: ReturnType<typeof readHouseholdFieldStates>): HouseholdAddress {
	return {
		compound: states.compound.value,
		building: states.building.value,
		unit: states.unit.value,
		room: states.room.value
	};
}

/** Address key → id of every household not deleted (for duplicate checks). */
export function liveAddressIndex(doc: Y.Doc): Map<string, HouseholdId> {
	const index = new Map<string, HouseholdId>();
	for (const key of householdsMap(doc).keys()) {
		const record = findHousehold(doc, key);
		if (!record) continue;
		const states = readHouseholdFieldStates(record);
		if (states.deleted.value) continue;
		index.set(addressKey(shownAddress(states)), record.id);
	}
	return index;
}

/** Who writes and when, for the insert helpers (shared with ./import.ts). */
export type Stamp = Readonly<{ context: HouseholdContext; at: number }>;

/** The signature every stored record carries: who (name, member, device) and when. */
function signed(context: HouseholdContext, at: number) {
	const { actor, authority } = context;
	return { by: actor.name, memberId: authority.memberId, deviceId: actor.deviceId, at };
}

/** Adds a resident map to a household's residents; call inside a transaction. */
export function insertResident(
	record: HouseholdRecord,
	resident: ValidResident,
	stamp: Stamp,
	order = 0
): ResidentId {
	const id = newId('r') as ResidentId;
	const initial: ResidentInitial = {
		id: newEditId(),
		...signed(stamp.context, stamp.at),
		values: { ...resident.values },
		tags: [...resident.tags],
		order
	};
	const map = new Y.Map<unknown>();
	record.residents.set(id, map);
	map.set('initial', initial);
	map.set('fields', new Y.Map<unknown>());
	return id;
}

/** Writes a checked household; call inside a transaction. */
export function insertHousehold(doc: Y.Doc, valid: ValidHousehold, stamp: Stamp): HouseholdId {
	const id = newId('h') as HouseholdId;
	const initial: HouseholdInitial = {
		id: newEditId(),
		...signed(stamp.context, stamp.at),
		values: {
			...valid.address,
			buildingId: valid.buildingId,
			note: valid.note,
			visitIntervalDays: valid.visitIntervalDays
		},
		colour: valid.colour,
		reason: valid.reason
	};
	const map = new Y.Map<unknown>();
	householdsMap(doc).set(id, map);
	map.set('initial', initial);
	map.set('fields', new Y.Map<unknown>());
	map.set('residents', new Y.Map<unknown>());
	const record = findHousehold(doc, id);
	valid.residents.forEach((resident, order) => {
		if (record) insertResident(record, resident, stamp, order);
	});
	return id;
}

/** Registers a household; refused when a household with the same address key is live. */
export function createHousehold(
	doc: Y.Doc,
	input: HouseholdInput,
	context: HouseholdContext,
	extras: HouseholdExtras = {}
): Result<HouseholdId, CreateHouseholdReason> {
	if (!mayWriteHouseholds(context.authority)) return err('not_permitted');
	const at = commandTime(context);
	const valid = validateHousehold(input, extras, new Date(at));
	if (!valid.ok) return valid;
	if (liveAddressIndex(doc).has(valid.value.key)) return err('duplicate_address');
	let id = '' as HouseholdId;
	doc.transact(() => {
		id = insertHousehold(doc, valid.value, { context, at });
	}, ORIGIN_LOCAL_EDIT);
	return ok(id);
}

/**
 * Every command's preamble on one household: the context may write this grid's register and the
 * household exists (deleted or not). Shared with ./follow-ups.ts.
 */
export function writableHousehold(
	doc: Y.Doc,
	householdId: string,
	context: HouseholdContext
): Result<HouseholdRecord, 'not_permitted' | 'household_not_found'> {
	if (!mayWriteHouseholds(context.authority)) return err('not_permitted');
	const record = findHousehold(doc, householdId);
	return record ? ok(record) : err('household_not_found');
}

type Target = Readonly<{ record: HouseholdRecord; at: number }>;

/** `writableHousehold`, and the household is not deleted; with the command's time. */
function liveTarget(
	doc: Y.Doc,
	householdId: string,
	context: HouseholdContext
): Result<Target, 'not_permitted' | 'household_not_found' | 'household_deleted'> {
	const found = writableHousehold(doc, householdId, context);
	if (!found.ok) return found;
	const record = found.value;
	if (readHouseholdField(record, 'deleted').value) return err('household_deleted');
	return ok({ record, at: commandTime(context) });
}

/** An edit's whole preamble: `liveTarget`, then the input checked (at the command's time). */
function liveEdit<V, R extends string>(
	doc: Y.Doc,
	householdId: string,
	context: HouseholdContext,
	check: (at: number) => Result<V, R>
): Result<
	Target & Readonly<{ valid: V }>,
	R | 'not_permitted' | 'household_not_found' | 'household_deleted'
> {
	const target = liveTarget(doc, householdId, context);
	if (!target.ok) return target;
	const valid = check(target.value.at);
	return valid.ok ? ok({ ...target.value, valid: valid.value }) : valid;
}

/**
 * Appends `value` to a field log key unless it is what is shown with no conflict: writing the
 * shown value of a field in conflict settles the conflict (over every head).
 */
function writeField(
	fields: Y.Map<unknown>,
	key: string,
	value: FieldValue,
	state: FieldState<FieldValue>,
	context: HouseholdContext,
	at: number,
	seen?: readonly EditId[]
): Changed {
	if (state.value === value && state.conflict === null) return UNCHANGED;
	const fieldsDoc = fields.doc;
	const write = () =>
		appendEdit(
			fields,
			key,
			value,
			state.value === value ? state.heads : (seen ?? state.heads),
			context.actor,
			at
		);
	if (fieldsDoc) fieldsDoc.transact(write, ORIGIN_LOCAL_EDIT);
	else write();
	return CHANGED;
}

export type EditHouseholdReason =
	| 'not_permitted'
	| 'household_not_found'
	| 'household_deleted'
	| 'duplicate_address'
	| HouseholdFieldReason;

/** Sets one household field (an address part, buildingId, note, visitIntervalDays as digits). */
export function editHouseholdField(
	doc: Y.Doc,
	householdId: HouseholdId,
	field: EditableHouseholdField,
	raw: string,
	context: HouseholdContext & SeenOption
): Result<Changed, EditHouseholdReason> {
	const target = liveEdit(doc, householdId, context, () => validateHouseholdField(field, raw));
	if (!target.ok) return target;
	const { record, at, valid } = target.value;
	const states = readHouseholdFieldStates(record);
	if (field === 'compound' || field === 'building' || field === 'unit' || field === 'room') {
		const next = { ...shownAddress(states), [field]: valid } as HouseholdAddress;
		const address = parseAddress(next);
		if (!address.ok) return address;
		const owner = liveAddressIndex(doc).get(addressKey(address.value));
		if (owner !== undefined && owner !== householdId) return err('duplicate_address');
	}
	const state = states[field] as FieldState<FieldValue>;
	return ok(writeField(record.fields, field, valid, state, context, at, context.seen));
}

export type SetColourReason =
	'not_permitted' | 'household_not_found' | 'household_deleted' | ColourReason;

/**
 * Sets a household's colour with why (required for yellow and red). Setting the shown colour
 * again writes nothing unless the colour is in conflict (then it settles the conflict) or the
 * reason is new (a new reason is history too).
 */
export function setColour(
	doc: Y.Doc,
	householdId: HouseholdId,
	colour: HouseholdColour,
	reason: string,
	context: HouseholdContext & SeenOption
): Result<Changed, SetColourReason> {
	const target = liveEdit(doc, householdId, context, () => validateColour(colour, reason));
	if (!target.ok) return target;
	const { record, at, valid } = target.value;
	const state = readColourState(record);
	const shown = readColourEdits(record).find((edit) => edit.id === state.heads[0]);
	if (
		state.value === valid.colour &&
		state.conflict === null &&
		(shown?.reason ?? '') === valid.reason
	) {
		return ok(UNCHANGED);
	}
	const bases =
		state.value === valid.colour && state.conflict !== null
			? state.heads
			: (context.seen ?? state.heads);
	const { actor } = context;
	doc.transact(() => {
		writableLogSlot(record.map, COLOURS_KEY).push([
			{
				id: newEditId(),
				value: valid.colour,
				reason: valid.reason,
				bases: [...bases],
				by: actor.name,
				deviceId: actor.deviceId,
				at
			}
		]);
	}, ORIGIN_LOCAL_EDIT);
	return ok(CHANGED);
}

export type ResidentCommandReason =
	| 'not_permitted'
	| 'household_not_found'
	| 'household_deleted'
	| 'resident_not_found'
	| ResidentReason;

export function addResident(
	doc: Y.Doc,
	householdId: HouseholdId,
	input: ResidentInput,
	context: HouseholdContext
): Result<ResidentId, ResidentCommandReason> {
	const target = liveEdit(doc, householdId, context, (at) => validateResident(input, new Date(at)));
	if (!target.ok) return target;
	const { record, at, valid } = target.value;
	let id = '' as ResidentId;
	doc.transact(() => {
		id = insertResident(record, valid, { context, at });
	}, ORIGIN_LOCAL_EDIT);
	return ok(id);
}

function residentTarget(
	doc: Y.Doc,
	householdId: string,
	residentId: string,
	context: HouseholdContext
) {
	const target = liveTarget(doc, householdId, context);
	if (!target.ok) return target;
	const resident = findResident(target.value.record, residentId);
	if (!resident) return err('resident_not_found' as const);
	return ok({ resident, at: target.value.at });
}

/** Sets one resident field, as typed (a birth year as digits, '' for none). */
export function editResidentField(
	doc: Y.Doc,
	householdId: HouseholdId,
	residentId: ResidentId,
	field: EditableResidentField,
	raw: string,
	context: HouseholdContext & SeenOption
): Result<Changed, ResidentCommandReason> {
	const target = residentTarget(doc, householdId, residentId, context);
	if (!target.ok) return target;
	const { resident, at } = target.value;
	const valid = validateResidentField(field, raw, new Date(at));
	if (!valid.ok) return valid;
	const state = residentFieldState(resident, field) as FieldState<FieldValue>;
	return ok(writeField(resident.fields, field, valid.value, state, context, at, context.seen));
}

/** Sets or clears one tag of a resident (each tag its own log: concurrent tag edits merge). */
export function setResidentTag(
	doc: Y.Doc,
	householdId: HouseholdId,
	residentId: ResidentId,
	tag: ResidentTag,
	on: boolean,
	context: HouseholdContext
): Result<Changed, ResidentCommandReason> {
	if (!isResidentTag(tag)) return err('tag_invalid');
	const target = residentTarget(doc, householdId, residentId, context);
	if (!target.ok) return target;
	const { resident, at } = target.value;
	const state = readResidentFieldStates(resident).tags[tag] as FieldState<FieldValue>;
	return ok(writeField(resident.fields, tagField(tag), on, state, context, at));
}

/**
 * Marks a resident as moved out or otherwise gone (`removed` true: a tombstone, the record stays)
 * or takes that back (false: the screen's "undo"); the field log keeps both edits.
 */
export function setResidentRemoved(
	doc: Y.Doc,
	householdId: HouseholdId,
	residentId: ResidentId,
	removed: boolean,
	context: HouseholdContext
): Result<Changed, ResidentCommandReason> {
	const target = residentTarget(doc, householdId, residentId, context);
	if (!target.ok) return target;
	const { resident, at } = target.value;
	const state = residentFieldState(resident, 'removed') as FieldState<FieldValue>;
	return ok(writeField(resident.fields, 'removed', removed, state, context, at));
}

export type TombstoneReason = 'not_permitted' | 'household_not_found';

function setDeleted(record: HouseholdRecord, deleted: boolean, context: HouseholdContext): Changed {
	const state = readHouseholdField(record, 'deleted') as FieldState<FieldValue>;
	return writeField(record.fields, 'deleted', deleted, state, context, commandTime(context));
}

/** Takes a household off the register (its tombstone; visits and history stay). */
export function deleteHousehold(
	doc: Y.Doc,
	householdId: HouseholdId,
	context: HouseholdContext
): Result<Changed, TombstoneReason> {
	const found = writableHousehold(doc, householdId, context);
	return found.ok ? ok(setDeleted(found.value, true, context)) : found;
}

/** Puts a deleted household back; refused when its address is live again under another one. */
export function restoreHousehold(
	doc: Y.Doc,
	householdId: HouseholdId,
	context: HouseholdContext
): Result<Changed, TombstoneReason | 'duplicate_address'> {
	const found = writableHousehold(doc, householdId, context);
	if (!found.ok) return found;
	const record = found.value;
	if (readHouseholdField(record, 'deleted').value) {
		const key = addressKey(shownAddress(readHouseholdFieldStates(record)));
		const owner = liveAddressIndex(doc).get(key);
		if (owner !== undefined && owner !== householdId) return err('duplicate_address');
	}
	return ok(setDeleted(record, false, context));
}

export type VisitInput = Readonly<{
	/** When the visit took place (ms); not more than a day ahead of the command's clock. */
	visitedAt: number;
	/** Who went (names); the actor when empty. */
	visitors: readonly string[];
	findings: string;
	photos: readonly PhotoInput[];
}>;

/** A visit as stored: a plain object in a household's `visits` list. */
export type VisitRecord = Readonly<{
	id: VisitId;
	visitedAt: number;
	visitors: readonly string[];
	findings: string;
	photos: readonly PhotoRef[];
	by: string;
	memberId: string;
	deviceId: string;
	at: number;
}>;

export type RecordVisitReason =
	| 'not_permitted'
	| 'household_not_found'
	| 'household_deleted'
	| 'visit_time_invalid'
	| 'visitors_invalid'
	| 'findings_too_long'
	| 'bad_photo';

const DAY_MS = 86_400_000;
export const VISITORS_MAX = 10;
export const VISIT_PHOTOS_MAX = 9;

export function recordVisit(
	doc: Y.Doc,
	householdId: HouseholdId,
	input: VisitInput,
	context: HouseholdContext
): Result<VisitId, RecordVisitReason> {
	const target = liveTarget(doc, householdId, context);
	if (!target.ok) return target;
	const { record, at } = target.value;
	const { actor } = context;
	if (!Number.isFinite(input.visitedAt) || input.visitedAt > at + DAY_MS || input.visitedAt < 0) {
		return err('visit_time_invalid');
	}
	const visitors: string[] = [];
	for (const raw of input.visitors) {
		const name = parseBoundedText(raw, RESIDENT_NAME_MAX);
		if (!name.ok) return err('visitors_invalid');
		if (name.value !== '' && !visitors.includes(name.value)) visitors.push(name.value);
	}
	if (visitors.length > VISITORS_MAX) return err('visitors_invalid');
	if (visitors.length === 0) visitors.push(actor.name);
	const findings = parseBoundedText(input.findings, VISIT_TEXT_MAX);
	if (!findings.ok) return err('findings_too_long');
	if (input.photos.length > VISIT_PHOTOS_MAX) return err('bad_photo');
	const photos: PhotoRef[] = [];
	for (const photo of input.photos) {
		const ref = parsePhotoRef({
			...photo,
			addedBy: actor.name,
			deviceId: actor.deviceId,
			at
		});
		if (!ref) return err('bad_photo');
		if (!photos.some((p) => p.hash === ref.hash)) photos.push(ref);
	}
	const id = newId('v') as VisitId;
	const visit: VisitRecord = {
		id,
		visitedAt: input.visitedAt,
		visitors,
		findings: findings.value,
		photos: photos.map((p) => ({ ...p })),
		...signed(context, at)
	};
	doc.transact(() => {
		writableLogSlot(record.map, VISITS_KEY).push([{ ...visit }]);
	}, ORIGIN_LOCAL_EDIT);
	return ok(id);
}

export const FOLLOW_UP_KINDS = ['case', 'task'] as const;
export type FollowUpKind = (typeof FOLLOW_UP_KINDS)[number];

/** A visit's follow-up as stored in a household's `links` list: ids only, no personal data. */
export type FollowUpLink = Readonly<{
	id: string;
	visitId: VisitId;
	kind: FollowUpKind;
	/** The case id (on `gridId`'s board) or the task id (in the community's tasks). */
	targetId: string;
	gridId: string;
	by: string;
	memberId: string;
	deviceId: string;
	at: number;
}>;

export type LinkFollowUpInput = Readonly<{
	visitId: VisitId;
	kind: FollowUpKind;
	targetId: string;
	gridId: string;
}>;

export type LinkFollowUpReason =
	'not_permitted' | 'household_not_found' | 'visit_not_found' | 'target_invalid';

/** Whether a household has a visit with this id. */
export function hasVisit(record: HouseholdRecord, visitId: string): boolean {
	return readVisitIds(record).has(visitId);
}

function readVisitIds(record: HouseholdRecord): Set<string> {
	const ids = new Set<string>();
	for (const raw of storedItems(record, VISITS_KEY)) {
		const id = (raw as { id?: unknown } | null)?.id;
		if (typeof id === 'string') ids.add(id);
	}
	return ids;
}

/**
 * Records that a visit was followed up by a case or a task (made by ./follow-ups.ts, or an
 * existing one named by hand). A deleted household's visits may still be linked.
 */
export function linkFollowUp(
	doc: Y.Doc,
	householdId: HouseholdId,
	input: LinkFollowUpInput,
	context: HouseholdContext
): Result<string, LinkFollowUpReason> {
	const found = writableHousehold(doc, householdId, context);
	if (!found.ok) return found;
	const record = found.value;
	if (!hasVisit(record, input.visitId)) return err('visit_not_found');
	if (
		!(FOLLOW_UP_KINDS as readonly string[]).includes(input.kind) ||
		!isValidIdSegment(input.targetId) ||
		!isValidIdSegment(input.gridId)
	) {
		return err('target_invalid');
	}
	const link: FollowUpLink = {
		id: newEditId(),
		visitId: input.visitId,
		kind: input.kind,
		targetId: input.targetId,
		gridId: input.gridId,
		...signed(context, commandTime(context))
	};
	doc.transact(() => {
		writableLogSlot(record.map, LINKS_KEY).push([{ ...link }]);
	}, ORIGIN_LOCAL_EDIT);
	return ok(link.id);
}

export const EXPORT_SCOPES = ['grid', 'community'] as const;
/** `zip`: the secretary's community ZIP (screens/export), which holds every register masked. */
export const EXPORT_FORMATS = ['csv', 'xlsx', 'zip'] as const;

export type ExportInput = Readonly<{
	scope: (typeof EXPORT_SCOPES)[number];
	format: (typeof EXPORT_FORMATS)[number];
	/** ID numbers unmasked (the secretary only). */
	full: boolean;
	/** How many households of this grid the export held. */
	households: number;
}>;

export type ExportRecord = ExportInput &
	Readonly<{ id: string; at: number; by: string; memberId: string; deviceId: string }>;

export type RecordExportReason = 'not_permitted' | 'export_invalid';

/**
 * Records an export in this grid's register. A community export (the secretary's) is recorded
 * in every grid's register it read, each with that grid's household count.
 */
export function recordExport(
	doc: Y.Doc,
	input: ExportInput,
	context: HouseholdContext
): Result<string, RecordExportReason> {
	if (!mayWriteHouseholds(context.authority)) return err('not_permitted');
	const secretary = context.authority.claims.role === 'secretary';
	if ((input.full || input.scope === 'community') && !secretary) return err('not_permitted');
	if (
		!(EXPORT_SCOPES as readonly string[]).includes(input.scope) ||
		!(EXPORT_FORMATS as readonly string[]).includes(input.format) ||
		typeof input.full !== 'boolean' ||
		!Number.isSafeInteger(input.households) ||
		input.households < 0
	) {
		return err('export_invalid');
	}
	const record: ExportRecord = {
		id: newEditId(),
		...signed(context, commandTime(context)),
		scope: input.scope,
		format: input.format,
		full: input.full,
		households: input.households
	};
	doc.transact(() => {
		exportsArray(doc).push([{ ...record }]);
	}, ORIGIN_LOCAL_EDIT);
	return ok(record.id);
}
