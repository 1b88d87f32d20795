/**
 * Write rules of a grid's household register (`c/{cid}/households/{gridId}`, layout:
 * src/lib/model/household/schema.ts). Only the grid's staff open it at all (the access matrix:
 * the secretary, and grid members of this grid); these rules are the second line:
 *
 *   the grid's staff   register a household (its map, `initial`, `fields`, `residents`), add a
 *   (gridStaff)        resident (map, `initial`, `fields`), append to any field log (household
 *                      fields, resident fields, `tag/<tag>`, the `deleted` / `removed`
 *                      tombstones), append colour edits, visits, follow-up links, exports
 *   everyone else      nothing
 *
 * Nothing is ever changed or removed: `initial` objects are set once, field logs and lists only
 * grow (a household or resident leaves by its tombstone log). Every authored value names its
 * writer: `by` (and `memberId` where the entry has one: `initial`, visits, links, exports), each
 * photo of a visit by `addedBy`. A full export (ID numbers unmasked) or a community export is
 * the secretary's. Values are checked for shape and bounds; what the app still decides: the ID
 * number's check digit, phone formats, duplicate addresses (src/lib/domain/household.ts).
 *
 * Invariant: every key the household commands write has a rule here, and no other (contract
 * test: tests/contract/write-rules-households.test.ts, the value lists are the wire's own,
 * src/lib/wire/household-values.ts, which the domain re-exports).
 */
import { isValidIdSegment } from './doc-names.ts';
import {
	authoredEntry,
	gridStaff,
	isPlainObject,
	keyed,
	list,
	mapOf,
	slotBase,
	value,
	type DocRules,
	type Rule,
	type ValueCheck
} from './write-rules.ts';
import { HOUSEHOLD_COLOURS, RESIDENT_RELATIONS, RESIDENT_TAGS } from './household-values.ts';

/** Generous bounds (code units) over the domain's (which count code points). */
const TEXT_MAX = 4000;
const SHORT_MAX = 200;

const text =
	(max: number) =>
	(v: unknown): boolean =>
		typeof v === 'string' && v.length <= max;
const oneOf =
	(values: readonly string[]) =>
	(v: unknown): boolean =>
		typeof v === 'string' && values.includes(v);
const isBoolean = (v: unknown): boolean => typeof v === 'boolean';
const isStamp = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
const isDays = (v: unknown): boolean =>
	typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 366;
const isYear = (v: unknown): boolean =>
	v === null || (typeof v === 'number' && Number.isInteger(v) && v >= 1900 && v <= 3000);
const isId = (v: unknown): boolean => isValidIdSegment(v);

type IsValue = (v: unknown) => boolean;

const HOUSEHOLD_FIELD_VALUES: Readonly<Record<string, IsValue>> = {
	compound: text(SHORT_MAX),
	building: text(SHORT_MAX),
	unit: text(SHORT_MAX),
	room: text(SHORT_MAX),
	buildingId: (v) => v === '' || isId(v),
	note: text(TEXT_MAX),
	visitIntervalDays: isDays,
	deleted: isBoolean
};

const RESIDENT_FIELD_VALUES: Readonly<Record<string, IsValue>> = {
	name: text(SHORT_MAX),
	relation: oneOf(RESIDENT_RELATIONS),
	phone: text(SHORT_MAX),
	idNumber: text(SHORT_MAX),
	birthYear: isYear,
	note: text(TEXT_MAX),
	removed: isBoolean,
	...Object.fromEntries(RESIDENT_TAGS.map((tag) => [`tag/${tag}`, isBoolean]))
};

/** The stamp every authored entry carries: its id, writer, device and time. */
function stamped(raw: unknown, writer: Parameters<ValueCheck>[1]): ReturnType<ValueCheck> {
	const refusal = authoredEntry(raw, writer);
	if (refusal || !isPlainObject(raw)) return refusal ?? 'shape';
	if (!isId(raw.id) || !text(SHORT_MAX)(raw.deviceId) || !isStamp(raw.at)) return 'shape';
	return null;
}

/** A field log edit (src/lib/model/field-log.ts) whose value passes `isValue`. */
function fieldEdit(
	isValue: IsValue,
	extra?: (raw: Record<string, unknown>) => boolean
): ValueCheck {
	return (raw, writer) => {
		const refusal = stamped(raw, writer);
		if (refusal || !isPlainObject(raw)) return refusal ?? 'shape';
		const bases = raw.bases;
		if (!Array.isArray(bases) || bases.length > 64 || !bases.every(isId)) return 'shape';
		if (!isValue(raw.value)) return 'shape';
		return extra && !extra(raw) ? 'shape' : null;
	};
}

function fieldLogs(values: Readonly<Record<string, IsValue>>): Rule {
	const logs: Record<string, Rule> = {};
	for (const [field, isValue] of Object.entries(values)) {
		logs[field] = list(gridStaff, value(gridStaff, fieldEdit(isValue)));
	}
	return mapOf(gridStaff, (key, client) => {
		// Always a slot of the writer's own: a register has no logs from before slots.
		const base = slotBase(key, client);
		return base !== null && base !== key && Object.hasOwn(logs, base) ? (logs[base] ?? null) : null;
	});
}

/** An `initial` object: stamped by its writer, its values each valid for their field. */
function initial(
	values: Readonly<Record<string, IsValue>>,
	more: (raw: Record<string, unknown>) => boolean
): Rule {
	const check: ValueCheck = (raw, writer) => {
		const refusal = stamped(raw, writer);
		if (refusal || !isPlainObject(raw)) return refusal ?? 'shape';
		if (!isPlainObject(raw.values)) return 'shape';
		for (const [field, v] of Object.entries(raw.values)) {
			if (!Object.hasOwn(values, field) || !values[field]?.(v)) return 'shape';
		}
		return more(raw) ? null : 'shape';
	};
	return value(gridStaff, check);
}

const resident = mapOf(gridStaff, (key) => {
	if (key === 'initial') return RESIDENT_INITIAL;
	if (key === 'fields') return RESIDENT_FIELDS;
	return null;
});
const RESIDENT_INITIAL = initial(
	RESIDENT_FIELD_VALUES,
	(raw) =>
		Array.isArray(raw.tags) &&
		raw.tags.length <= RESIDENT_TAGS.length &&
		raw.tags.every(oneOf(RESIDENT_TAGS)) &&
		Number.isSafeInteger(raw.order)
);
const RESIDENT_FIELDS = fieldLogs(RESIDENT_FIELD_VALUES);

/** A photo of a visit: a ref of the photo pipeline, added by the writer. */
function photoRef(raw: unknown, writer: Parameters<ValueCheck>[1]): boolean {
	if (authoredEntry(raw, writer, 'addedBy') !== null || !isPlainObject(raw)) return false;
	return typeof raw.hash === 'string' && /^[0-9a-f]{64}$/.test(raw.hash);
}

const visit: ValueCheck = (raw, writer) => {
	const refusal = stamped(raw, writer);
	if (refusal || !isPlainObject(raw)) return refusal ?? 'shape';
	const { visitedAt, visitors, findings, photos } = raw;
	if (!isStamp(visitedAt) || !text(TEXT_MAX)(findings)) return 'shape';
	if (!Array.isArray(visitors) || visitors.length > 20 || !visitors.every(text(SHORT_MAX))) {
		return 'shape';
	}
	if (!Array.isArray(photos) || photos.length > 20) return 'shape';
	for (const photo of photos) if (!photoRef(photo, writer)) return 'author';
	return null;
};

const link: ValueCheck = (raw, writer) => {
	const refusal = stamped(raw, writer);
	if (refusal || !isPlainObject(raw)) return refusal ?? 'shape';
	if (raw.kind !== 'case' && raw.kind !== 'task') return 'shape';
	return isId(raw.visitId) && isId(raw.targetId) && isId(raw.gridId) ? null : 'shape';
};

const colourEdit = fieldEdit(oneOf(HOUSEHOLD_COLOURS), (raw) => text(TEXT_MAX)(raw.reason));

const exportRecord: ValueCheck = (raw, writer) => {
	const refusal = stamped(raw, writer);
	if (refusal || !isPlainObject(raw)) return refusal ?? 'shape';
	const { scope, format, full, households } = raw;
	if (scope !== 'grid' && scope !== 'community') return 'shape';
	if (!['csv', 'xlsx', 'zip'].includes(format as string) || typeof full !== 'boolean') {
		return 'shape';
	}
	if (typeof households !== 'number' || !Number.isSafeInteger(households) || households < 0) {
		return 'shape';
	}
	if ((full || scope === 'community') && writer.role !== 'secretary') return 'not_permitted';
	return null;
};

const HOUSEHOLD_INITIAL = initial(
	HOUSEHOLD_FIELD_VALUES,
	(raw) => oneOf(HOUSEHOLD_COLOURS)(raw.colour) && text(TEXT_MAX)(raw.reason)
);
const HOUSEHOLD_FIELDS = fieldLogs(HOUSEHOLD_FIELD_VALUES);
const RESIDENTS = keyed(gridStaff, isValidIdSegment, resident);
const SLOTTED_LISTS: Readonly<Record<string, Rule>> = {
	colours: list(gridStaff, value(gridStaff, colourEdit)),
	visits: list(gridStaff, value(gridStaff, visit)),
	links: list(gridStaff, value(gridStaff, link))
};

const household = mapOf(gridStaff, (key, client) => {
	switch (key) {
		case 'initial':
			return HOUSEHOLD_INITIAL;
		case 'fields':
			return HOUSEHOLD_FIELDS;
		case 'residents':
			return RESIDENTS;
	}
	// Lists are created on first use under the writer's own slot only (model/slots.ts).
	const base = slotBase(key, client);
	return base !== null && base !== key && Object.hasOwn(SLOTTED_LISTS, base)
		? (SLOTTED_LISTS[base] ?? null)
		: null;
});

export const HOUSEHOLDS_RULES: DocRules = Object.freeze({
	roots: {
		households: keyed(gridStaff, isValidIdSegment, household),
		exports: list(gridStaff, value(gridStaff, exportRecord))
	}
});
