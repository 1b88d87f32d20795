/**
 * Household schema: how one grid's household register is laid out in its own Y.Doc
 * (`c/{communityId}/households/{gridId}`, readable and writable only by that grid's members and
 * the secretary: src/lib/wire/access.ts), and typed access to it for commands and readers.
 *
 *   doc.getMap('households'): householdId → Y.Map {
 *     initial:   { id, by, memberId, deviceId, at,                     (plain object, set once)
 *                  values: { compound, building, unit, room, buildingId, note, visitIntervalDays },
 *                  colour, reason }
 *     fields:    Y.Map { <field>~<clientID> → field log }   fields: HOUSEHOLD_FIELDS
 *                       (address parts, buildingId, note, visitIntervalDays, and `deleted`: the
 *                        tombstone, a boolean log so a delete and a restore made offline both show)
 *     residents: Y.Map { residentId → Y.Map {
 *                  initial: { id, by, memberId, deviceId, at, values: { name, relation, phone,
 *                             idNumber, birthYear, note }, tags: ResidentTag[], order },
 *                  fields:  Y.Map { <field>~<clientID> → field log }   fields: RESIDENT_FIELDS,
 *                           `tag/<tag>` (boolean, one log per tag so concurrent tag edits merge)
 *                           and `removed` (boolean: the resident's tombstone)
 *                } }
 *     colours~<clientID>: Y.Array<ColourEdit>   colour edits after the first: field log edits
 *                                               carrying a `reason` (the whole history is shown)
 *     visits~<clientID>:  Y.Array<VisitRecord>  append-only visit records (plain objects)
 *     links~<clientID>:   Y.Array<FollowUpLink> append-only: a visit's follow-up case or task
 *   }
 *   doc.getArray('exports'): append-only ExportRecord (who exported what, when)
 *
 * Refinements of the plan in issue 18, and why:
 * - The first colour lives in `initial` (like a case's first values, model/case/schema.ts): an
 *   imported grid of 1,000 households holds no Y.Array per household for a colour most never
 *   change. Colour history = the initial colour (edit id `initial.id`) + every colour edit.
 * - `colours`, `visits` and `links` are log slots (model/slots.ts): created on first use under
 *   the writer's own `<key>~<clientID>`, never `<key>`, so two phones recording a household's
 *   first visit offline never create one key twice (Yjs would keep one array and drop the other's
 *   visits); readers take the union of the slots.
 * - Field logs sit under slot keys `<field>~<clientID>` from the start, exactly like cases.
 *
 * Invariant: a household's map, `fields` and `residents` maps are created together by one
 * command and never replaced; every Y type is created once under a key no other replica
 * creates; nothing is ever removed (households and residents leave by their tombstones).
 */

import * as Y from 'yjs';
import type { Actor } from '../../domain/actor';
import {
	isHouseholdColour,
	isResidentRelation,
	RESIDENT_TAGS,
	type HouseholdColour,
	type HouseholdId,
	type ResidentId,
	type ResidentTag
} from '../../domain/household';
import { isValidIdSegment, newEditId, type EditId } from '../../domain/ids';
import {
	parseFieldEdit,
	readFieldEdits,
	resolveFieldState,
	type FieldEdit,
	type FieldState,
	type FieldValue,
	type IsFieldValue
} from '../field-log';
import { logSlots, logSlotsByKey, writableLogSlot } from '../slots';

const isString = (value: unknown): value is string => typeof value === 'string';
const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';
const isDays = (value: unknown): value is number =>
	typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 366;
const isBirthYear = (value: unknown): value is number | null =>
	value === null || (typeof value === 'number' && Number.isInteger(value));

/** A household's own fields, each a field log (`deleted` is its tombstone). */
export const HOUSEHOLD_FIELDS = [
	'compound',
	'building',
	'unit',
	'room',
	'buildingId',
	'note',
	'visitIntervalDays',
	'deleted'
] as const;
export type HouseholdField = (typeof HOUSEHOLD_FIELDS)[number];
export type HouseholdFieldValues = {
	compound: string;
	building: string;
	unit: string;
	room: string;
	/** The map's building feature this household is in ('' when not matched). */
	buildingId: string;
	note: string;
	/** Days between visits; 0 = the colour's default from the community's visit plan. */
	visitIntervalDays: number;
	deleted: boolean;
};
/** The household fields a user edits directly (the rest: colour, tombstone, own commands). */
export type EditableHouseholdField = Exclude<HouseholdField, 'deleted'>;

export const HOUSEHOLD_FIELD_IS_VALUE: {
	readonly [F in HouseholdField]: IsFieldValue<HouseholdFieldValues[F]>;
} = {
	compound: isString,
	building: isString,
	unit: isString,
	room: isString,
	buildingId: (value): value is string => value === '' || isValidIdSegment(value),
	note: isString,
	visitIntervalDays: isDays,
	deleted: isBoolean
};

export const HOUSEHOLD_FALLBACK: Readonly<HouseholdFieldValues> = Object.freeze({
	compound: '',
	building: '',
	unit: '',
	room: '',
	buildingId: '',
	note: '',
	visitIntervalDays: 0,
	deleted: false
});

/** A resident's own fields, each a field log, besides one boolean log per tag. */
export const RESIDENT_FIELDS = [
	'name',
	'relation',
	'phone',
	'idNumber',
	'birthYear',
	'note',
	'removed'
] as const;
export type ResidentField = (typeof RESIDENT_FIELDS)[number];
export type ResidentFieldValues = {
	name: string;
	relation: string;
	phone: string;
	idNumber: string;
	birthYear: number | null;
	note: string;
	removed: boolean;
};
export type EditableResidentField = Exclude<ResidentField, 'removed'>;

export const RESIDENT_FIELD_IS_VALUE: {
	readonly [F in ResidentField]: IsFieldValue<ResidentFieldValues[F]>;
} = {
	name: isString,
	relation: (value): value is string => isResidentRelation(value),
	phone: isString,
	idNumber: isString,
	birthYear: isBirthYear,
	note: isString,
	removed: isBoolean
};

export const RESIDENT_FALLBACK: Readonly<ResidentFieldValues> = Object.freeze({
	name: '',
	relation: 'other',
	phone: '',
	idNumber: '',
	birthYear: null,
	note: '',
	removed: false
});

/** The field log key of a resident tag. */
export const tagField = (tag: ResidentTag): string => `tag/${tag}`;

export type HouseholdRecord = Readonly<{
	id: HouseholdId;
	map: Y.Map<unknown>;
	fields: Y.Map<unknown>;
	residents: Y.Map<unknown>;
	initial: Readonly<Record<string, unknown>>;
}>;

export type ResidentRecord = Readonly<{
	id: ResidentId;
	map: Y.Map<unknown>;
	fields: Y.Map<unknown>;
	initial: Readonly<Record<string, unknown>>;
}>;

/** What `createHousehold` stores under `initial`. */
export type HouseholdInitial = Readonly<{
	id: EditId;
	by: string;
	memberId: string;
	deviceId: string;
	at: number;
	values: Omit<HouseholdFieldValues, 'deleted'>;
	colour: HouseholdColour;
	reason: string;
}>;

/** What `addResident` stores under a resident's `initial`. */
export type ResidentInitial = Readonly<{
	id: EditId;
	by: string;
	memberId: string;
	deviceId: string;
	at: number;
	values: Omit<ResidentFieldValues, 'removed'>;
	tags: ResidentTag[];
	/** The resident's place among those written by one command (a household's head first). */
	order: number;
}>;

/** A colour edit: a field log edit of the colour, with why. */
export type ColourEdit = FieldEdit<HouseholdColour> & Readonly<{ reason: string }>;

export function householdsMap(doc: Y.Doc): Y.Map<unknown> {
	return doc.getMap<unknown>('households');
}

export function exportsArray(doc: Y.Doc): Y.Array<unknown> {
	return doc.getArray<unknown>('exports');
}

function isPlainRecord(value: unknown): value is Readonly<Record<string, unknown>> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseHouseholdRecord(key: string, value: unknown): HouseholdRecord | null {
	if (!isValidIdSegment(key) || !(value instanceof Y.Map)) return null;
	const fields = value.get('fields');
	const residents = value.get('residents');
	const initial = value.get('initial');
	if (!(fields instanceof Y.Map) || !(residents instanceof Y.Map)) return null;
	if (!isPlainRecord(initial) || !isPlainRecord(initial.values)) return null;
	return { id: key as HouseholdId, map: value, fields, residents, initial };
}

export function findHousehold(doc: Y.Doc, id: string): HouseholdRecord | null {
	return parseHouseholdRecord(id, householdsMap(doc).get(id));
}

export function parseResidentRecord(key: string, value: unknown): ResidentRecord | null {
	if (!isValidIdSegment(key) || !(value instanceof Y.Map)) return null;
	const fields = value.get('fields');
	const initial = value.get('initial');
	if (!(fields instanceof Y.Map) || !isPlainRecord(initial) || !isPlainRecord(initial.values)) {
		return null;
	}
	return { id: key as ResidentId, map: value, fields, initial };
}

export function findResident(record: HouseholdRecord, id: string): ResidentRecord | null {
	return parseResidentRecord(id, record.residents.get(id));
}

const isNull = (value: unknown): value is null => value === null;

/** The creation of a record as an edit with a null value (who, when, edit id), or null. */
function creationEdit(initial: Readonly<Record<string, unknown>>): FieldEdit<null> | null {
	return parseFieldEdit({ ...initial, value: null, bases: [] }, isNull);
}

/**
 * The creation's value of a field as a first edit, or null (not named, or not readable).
 * `creation` is `creationEdit` of the record's `initial`, read once per record.
 */
function initialEditOf<T extends FieldValue>(
	creation: FieldEdit<null> | null,
	value: unknown,
	isValue: IsFieldValue<T>
): FieldEdit<T> | null {
	if (creation === null || !isValue(value)) return null;
	return Object.freeze({ ...creation, value });
}

/**
 * The state of one field log key of a record: the creation's value (when `initial` names it)
 * followed by every edit in every slot of the key.
 */
function fieldStateOf<T extends FieldValue>(
	logs: readonly Y.Array<unknown>[],
	first: FieldEdit<T> | null,
	isValue: IsFieldValue<T>,
	fallback: T
): FieldState<T> {
	// Not edited since the creation (most fields of a large register): what resolveFieldState
	// gives for the creation's edit alone, or for none, without building the edit graph.
	if (logs.length === 0) {
		if (first === null) return Object.freeze({ value: fallback, conflict: null, heads: [] });
		return Object.freeze({ value: first.value, conflict: null, heads: Object.freeze([first.id]) });
	}
	const edits = logs.flatMap((log) => readFieldEdits(log, isValue));
	if (first) edits.push(first);
	return resolveFieldState(edits, fallback);
}

export type HouseholdFieldStates = Readonly<{
	[F in HouseholdField]: FieldState<HouseholdFieldValues[F]>;
}>;

/** Every household field's state, in one pass over its fields map. */
export function readHouseholdFieldStates(record: HouseholdRecord): HouseholdFieldStates {
	const logs = logSlotsByKey(record.fields);
	const values = record.initial.values as Readonly<Record<string, unknown>>;
	const creation = creationEdit(record.initial);
	const states: Partial<Record<HouseholdField, FieldState<FieldValue>>> = {};
	for (const field of HOUSEHOLD_FIELDS) {
		const isValue = HOUSEHOLD_FIELD_IS_VALUE[field] as IsFieldValue<FieldValue>;
		const first = Object.hasOwn(values, field)
			? initialEditOf(creation, values[field], isValue)
			: null;
		states[field] = fieldStateOf(logs.get(field) ?? [], first, isValue, HOUSEHOLD_FALLBACK[field]);
	}
	return Object.freeze(states as HouseholdFieldStates);
}

export function readHouseholdField<F extends HouseholdField>(
	record: HouseholdRecord,
	field: F
): FieldState<HouseholdFieldValues[F]> {
	const values = record.initial.values as Readonly<Record<string, unknown>>;
	const isValue = HOUSEHOLD_FIELD_IS_VALUE[field];
	const first = Object.hasOwn(values, field)
		? initialEditOf(creationEdit(record.initial), values[field], isValue)
		: null;
	return fieldStateOf(logSlots(record.fields, field), first, isValue, HOUSEHOLD_FALLBACK[field]);
}

export type ResidentFieldStates = Readonly<{
	[F in ResidentField]: FieldState<ResidentFieldValues[F]>;
}> &
	Readonly<{ tags: Readonly<Record<ResidentTag, FieldState<boolean>>> }>;

/** Every resident field's and tag's state, in one pass over its fields map. */
export function readResidentFieldStates(record: ResidentRecord): ResidentFieldStates {
	const logs = logSlotsByKey(record.fields);
	const values = record.initial.values as Readonly<Record<string, unknown>>;
	const creation = creationEdit(record.initial);
	const states: Record<string, unknown> = {};
	for (const field of RESIDENT_FIELDS) {
		const isValue = RESIDENT_FIELD_IS_VALUE[field] as IsFieldValue<FieldValue>;
		const first = Object.hasOwn(values, field)
			? initialEditOf(creation, values[field], isValue)
			: null;
		states[field] = fieldStateOf(logs.get(field) ?? [], first, isValue, RESIDENT_FALLBACK[field]);
	}
	const initialTags = Array.isArray(record.initial.tags) ? record.initial.tags : [];
	const tags: Partial<Record<ResidentTag, FieldState<boolean>>> = {};
	for (const tag of RESIDENT_TAGS) {
		const first = initialTags.includes(tag) ? initialEditOf(creation, true, isBoolean) : null;
		tags[tag] = fieldStateOf(logs.get(tagField(tag)) ?? [], first, isBoolean, false);
	}
	states.tags = Object.freeze(tags);
	return Object.freeze(states) as ResidentFieldStates;
}

/** A resident's tags that are set now (a tag in conflict counts as set: its shown value). */
export function tagsOf(states: ResidentFieldStates): readonly ResidentTag[] {
	return Object.freeze(RESIDENT_TAGS.filter((tag) => states.tags[tag].value));
}

/** Appends an edit to a field log key of `fields` over `seen`; call inside a transaction. */
export function appendEdit(
	fields: Y.Map<unknown>,
	key: string,
	value: FieldValue,
	seen: readonly EditId[],
	actor: Actor,
	at: number,
	id: EditId = newEditId()
): void {
	writableLogSlot(fields, key).push([
		{ id, value, bases: [...seen], by: actor.name, deviceId: actor.deviceId, at }
	]);
}

/** A frozen colour edit, or null when malformed. */
function parseColourEdit(raw: unknown): ColourEdit | null {
	const edit = parseFieldEdit(raw, isHouseholdColour);
	if (!edit || !isPlainRecord(raw) || typeof raw.reason !== 'string') return null;
	return Object.freeze({ ...edit, reason: raw.reason });
}

/** Every colour edit of a household, its first colour (from `initial`) included. */
export function readColourEdits(record: HouseholdRecord): readonly ColourEdit[] {
	const edits: ColourEdit[] = [];
	const first = initialEditOf(
		creationEdit(record.initial),
		record.initial.colour,
		isHouseholdColour
	);
	if (first) {
		const reason = typeof record.initial.reason === 'string' ? record.initial.reason : '';
		edits.push(Object.freeze({ ...first, reason }));
	}
	for (const log of logSlots(record.map, COLOURS_KEY)) {
		for (const raw of log.toArray()) {
			const edit = parseColourEdit(raw);
			if (edit) edits.push(edit);
		}
	}
	return edits;
}

/** The colour's state: the shown colour, any concurrent colours, the heads. */
export function readColourState(record: HouseholdRecord): FieldState<HouseholdColour> {
	return resolveFieldState(readColourEdits(record), 'green');
}

export const COLOURS_KEY = 'colours';
export const VISITS_KEY = 'visits';
export const LINKS_KEY = 'links';

/** Every stored item of a household's slotted list (`visits`, `links`, `colours`). */
export function storedItems(record: HouseholdRecord, key: string): unknown[] {
	return logSlots(record.map, key).flatMap((log) => log.toArray());
}

/** The creation stamp of a record (`initial`): who, which member, device and when. */
export function creationOf(
	initial: Readonly<Record<string, unknown>>
): Readonly<{ by: string; memberId: string; deviceId: string; at: number }> {
	return Object.freeze({
		by: typeof initial.by === 'string' ? initial.by : '',
		memberId: typeof initial.memberId === 'string' ? initial.memberId : '',
		deviceId: typeof initial.deviceId === 'string' ? initial.deviceId : '',
		at: typeof initial.at === 'number' && Number.isFinite(initial.at) ? initial.at : 0
	});
}

/** One resident field's state. */
export function residentFieldState<F extends ResidentField>(
	record: ResidentRecord,
	field: F
): FieldState<ResidentFieldValues[F]> {
	return readResidentFieldStates(record)[field] as FieldState<ResidentFieldValues[F]>;
}
