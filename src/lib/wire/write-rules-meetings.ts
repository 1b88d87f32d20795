/**
 * Write rules of the community's meetings: the index (`c/{cid}/meetings/index`, layout:
 * src/lib/model/meeting/schema.ts) and each meeting's record (`c/{cid}/meetings/{id}`, layout:
 * src/lib/model/meeting/record.ts). The target's id tells them apart.
 *
 *   staff (secretary,   index: create a meeting (its map, stamp, field logs, attendee list),
 *   grid member)        append field edits and attendee entries. Record: edit the minutes
 *                       (rich text: insert, format and delete anything in it), add a decision
 *                       or action item, link follow-ups, lock the minutes, add amendments
 *   volunteer,          nothing (the access matrix lets them only read)
 *   observer
 *
 * Outside the minutes nothing is ever changed or removed: field logs, attendee entries,
 * follow-up links, locks and amendments only grow, an item's props are set once. Every entry
 * names its writer (`by`, `createdBy`). State-dependent rules stay with the app's commands
 * (src/lib/model/meeting/commands.ts, record.ts): a finished meeting's fields, attendees and
 * items are refused there, amendments only after the lock, a second lock is shown as late.
 * The minutes themselves stay editable by staff after the lock (an edit typed offline before
 * the lock arrived must merge); the lock entry is the record, later changes show as late.
 *
 * Invariant: every key the meeting commands and the minutes editor write has a rule here, and no
 * other (contract test: tests/contract/write-rules-meetings.test.ts).
 */
import { isValidIdSegment } from './doc-names.ts';
import {
	authoredEntry,
	keyed,
	list,
	record,
	richText,
	staff,
	value,
	writerName,
	type DocRules,
	type Rule,
	type ValueCheck,
	type WriteTarget
} from './write-rules.ts';

/** The meetings index's id; any other id is one meeting's record. */
const MEETING_INDEX_ID = 'index';

/** The index's field logs (src/lib/model/meeting/schema.ts MEETING_FIELDS). */
export const MEETING_LOG_FIELDS = [
	'title',
	'type',
	'startsAt',
	'place',
	'gridId',
	'agenda',
	'status',
	'mediationClaim',
	'mediationOutcome',
	'agreementText'
] as const;

const isNumber: ValueCheck = (v) => (typeof v === 'number' && Number.isFinite(v) ? null : 'shape');
const isString: ValueCheck = (v) => (typeof v === 'string' ? null : 'shape');
const isId: ValueCheck = (v) => (isValidIdSegment(v) ? null : 'shape');
const authored: ValueCheck = (raw, writer) => authoredEntry(raw, writer);

/** An append-only list of entries, each naming the writer. */
const entries = (): Rule => list(staff, value(staff, authored));

const meeting = record(staff, {
	id: value(staff, isId),
	createdAt: value(staff, isNumber),
	createdBy: value(staff, writerName),
	createdByDevice: value(staff, isString),
	fields: record(staff, Object.fromEntries(MEETING_LOG_FIELDS.map((field) => [field, entries()]))),
	attendees: entries()
});

const INDEX_RULES: DocRules = Object.freeze({
	roots: { meetings: keyed(staff, isValidIdSegment, meeting) }
});

const item = record(staff, {
	id: value(staff, isId),
	kind: value(staff, isString),
	text: value(staff, isString),
	createdAt: value(staff, isNumber),
	createdBy: value(staff, writerName),
	deviceId: value(staff, isString),
	followUps: entries()
});

const RECORD_RULES: DocRules = Object.freeze({
	roots: {
		minutes: richText(staff, staff),
		items: keyed(staff, isValidIdSegment, item),
		lock: entries(),
		amendments: entries()
	}
});

/** The rules of a meetings document: the index, or one meeting's record. */
export function meetingRules(target: WriteTarget): DocRules {
	return target.id === MEETING_INDEX_ID ? INDEX_RULES : RECORD_RULES;
}
