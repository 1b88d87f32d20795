/**
 * Write rules of a grid's board (`c/{cid}/board/{gridId}`, layout: src/lib/model/case/schema.ts),
 * the relay's copy of the case permission table (src/lib/domain/case-permissions.ts):
 *
 *   everyone who may write the board   report a case, edit its text fields, comment, attach a
 *                                      photo, settle a conflict in a field they may edit,
 *                                      stamp receipts of their own entries
 *   the grid's staff (secretary, grid  besides: status, tier, assignees, deadline, duplicate
 *   member of this grid)
 *   grid member                        a tier edit only to `community` (escalate from the grid
 *                                      tier; handing back is the secretary's)
 *   secretary                          besides: the `deleted` and `restored` timeline entries
 *                                      (a case's tombstone and its undoing)
 *
 * Nothing in a case is ever changed or removed: the case map, `initial`, field logs, the
 * timeline, photos and receipts only grow. State-dependent rules (a grid member may not reopen a
 * closed case) stay with the app's commands: the relay checks what a role may write, not which
 * transition the case is in.
 *
 * Invariant: every key the model writes has a rule here, and no other (contract test:
 * tests/contract/write-rules-board.test.ts).
 */
import { isValidIdSegment } from './doc-names.ts';
import {
	anyWriter,
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
	type ValueCheck,
	type WriteTarget,
	type Writer
} from './write-rules.ts';

/** Case fields only the grid's staff set, with the value a report may carry for each. */
export const STAFF_CASE_FIELDS: Readonly<Record<string, unknown>> = Object.freeze({
	assignees: '',
	deadline: null,
	status: 'reported',
	tier: 'grid',
	duplicateOf: ''
});

/** Every field a case keeps as a log (src/lib/domain/case-input.ts CASE_FIELDS). */
export const CASE_LOG_FIELDS = [
	'title',
	'description',
	'category',
	'channel',
	'location',
	'mapPoint',
	'reporterName',
	'residentContact',
	'handlingType',
	'priority',
	'assignees',
	'deadline',
	'status',
	'tier',
	'duplicateOf'
] as const;

/** Timeline kinds only the grid's staff write. */
const STAFF_TIMELINE_KINDS = new Set(['status', 'tier', 'assigned', 'deadline']);
/** Timeline kinds only the secretary writes: deleting a case and restoring it. */
const SECRETARY_TIMELINE_KINDS = new Set(['deleted', 'restored']);

function isStaffField(field: unknown): boolean {
	return typeof field === 'string' && Object.hasOwn(STAFF_CASE_FIELDS, field);
}

/** Whether `writer` may set case field `field` to `next` on this board. */
export function maySetCaseField(
	writer: Writer,
	target: WriteTarget,
	field: string,
	next: unknown
): boolean {
	if (!(CASE_LOG_FIELDS as readonly string[]).includes(field)) return false;
	if (!isStaffField(field)) return true;
	if (!gridStaff(writer, target)) return false;
	if (field === 'tier' && writer.role !== 'secretary') return next === 'community';
	return true;
}

const initialValues: ValueCheck = (raw, writer, target) => {
	const refusal = authoredEntry(raw, writer);
	if (refusal || !isPlainObject(raw)) return refusal ?? 'shape';
	const values = raw.values;
	if (!isPlainObject(values)) return 'shape';
	for (const [field, next] of Object.entries(values)) {
		if (!(CASE_LOG_FIELDS as readonly string[]).includes(field)) return 'shape';
		// A report may carry a staff field only at the value every new case has.
		if (isStaffField(field) && !gridStaff(writer, target) && next !== STAFF_CASE_FIELDS[field]) {
			return 'not_permitted';
		}
		if (field === 'tier' && next !== 'grid' && !maySetCaseField(writer, target, field, next)) {
			return 'not_permitted';
		}
	}
	return null;
};

const timelineEntry: ValueCheck = (raw, writer, target) => {
	const refusal = authoredEntry(raw, writer);
	if (refusal || !isPlainObject(raw)) return refusal ?? 'shape';
	const kind = raw.kind;
	if (typeof kind !== 'string') return 'shape';
	if (STAFF_TIMELINE_KINDS.has(kind) && !gridStaff(writer, target)) return 'not_permitted';
	if (SECRETARY_TIMELINE_KINDS.has(kind) && writer.role !== 'secretary') return 'not_permitted';
	if (kind === 'tier' && !maySetCaseField(writer, target, 'tier', raw.to)) return 'not_permitted';
	// The creation entry repeats the report's status, which only staff set to anything but new.
	if (kind === 'created' && !gridStaff(writer, target) && raw.status !== STAFF_CASE_FIELDS.status) {
		return 'not_permitted';
	}
	// Settling a conflict takes the field's own permission (`to` is shown text; the field log
	// edit written with it carries the value and is checked there).
	if (kind === 'conflict_resolved' && isStaffField(raw.field) && !gridStaff(writer, target)) {
		return 'not_permitted';
	}
	return null;
};

/** A field log: the edits of one field, each written by its author, never removed. */
function fieldLog(field: string): Rule {
	const edit: ValueCheck = (raw, writer, target) => {
		const refusal = authoredEntry(raw, writer);
		if (refusal || !isPlainObject(raw)) return refusal ?? 'shape';
		return maySetCaseField(writer, target, field, raw.value) ? null : 'not_permitted';
	};
	return list(anyWriter, value(anyWriter, edit));
}

const FIELD_LOGS: Readonly<Record<string, Rule>> = Object.fromEntries(
	CASE_LOG_FIELDS.map((field) => [field, fieldLog(field)])
);

const fieldsMap = mapOf(anyWriter, (key, client) => {
	const base = slotBase(key, client);
	return base !== null && Object.hasOwn(FIELD_LOGS, base) ? (FIELD_LOGS[base] ?? null) : null;
});

const isNumber: ValueCheck = (v) => (typeof v === 'number' && Number.isFinite(v) ? null : 'shape');

/** Receipts: entry id → when the relay confirmed it. The shared map of old cases may be re-stamped. */
const sharedReceipts = keyed(
	anyWriter,
	isValidIdSegment,
	value(anyWriter, isNumber, { change: anyWriter })
);
const ownReceipts = keyed(anyWriter, isValidIdSegment, value(anyWriter, isNumber));

const photoRef: ValueCheck = (raw, writer) => authoredEntry(raw, writer, 'addedBy');
const photos = list(anyWriter, value(anyWriter, photoRef));

const caseMap = mapOf(anyWriter, (key, client) => {
	switch (key) {
		case 'initial':
			return INITIAL;
		case 'fields':
			return fieldsMap;
		case 'timeline':
			return TIMELINE;
		case 'receipts':
			return sharedReceipts;
		case 'source':
			return MEETING_SOURCE;
	}
	const base = slotBase(key, client);
	if (base === 'receipts' && key !== 'receipts') return ownReceipts;
	if (base === 'photos') return photos;
	return null;
});

const INITIAL = value(anyWriter, initialValues);
/**
 * What a case was made from, set once with the case by the grid's staff: a meeting's action
 * (model/meeting/follow-ups.ts) or a household visit (model/household/follow-ups.ts), which
 * names ids only: the board is read by volunteers, the household register is not.
 */
const MEETING_SOURCE = value(gridStaff, (v) => {
	if (!isPlainObject(v)) return 'shape';
	if (v.kind === 'meeting') return null;
	if (v.kind !== 'visit' || Object.keys(v).length !== 4) return 'shape';
	return isValidIdSegment(v.gridId) &&
		isValidIdSegment(v.householdId) &&
		isValidIdSegment(v.visitId)
		? null
		: 'shape';
});
const TIMELINE = list(anyWriter, value(anyWriter, timelineEntry));

export const BOARD_RULES: DocRules = Object.freeze({
	roots: { cases: keyed(anyWriter, isValidIdSegment, caseMap) }
});
