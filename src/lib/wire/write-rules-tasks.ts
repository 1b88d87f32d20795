/**
 * Write rules of the community's work document (`c/{cid}/tasks`, layout:
 * src/lib/model/work/schema.ts): volunteer tasks, patrol routes and runs, micro-wishes, each a
 * record of write-once props plus an append-only `history`, and the `hours` list.
 *
 *   staff (secretary,   create tasks (with a meeting's `meetingSource` or a household visit's
 *   grid member)        `visitSource`: ids only), routes and wishes; every history entry
 *                       below; credit hours to anyone
 *   volunteer           start a patrol run (as its runner); claim, withdraw their claim,
 *                       complete a task, fulfil a wish; tick, note findings, link a finding to
 *                       its case and finish a run; credit a patrol's hours to themselves
 *   observer            nothing
 *
 * Nothing is ever changed or removed: props are set once, histories and hours only grow.
 * Every entry names its writer: history entries by `by` and `memberId`, records by `createdBy`,
 * a run by `runnerId`, an hour record by `by` (and, from a volunteer, `memberId`: their own);
 * an hour record credits more than 0 and at most MAX_CREDITED_HOURS.
 *
 * State-dependent rules stay with the app's commands (src/lib/domain/task-rules.ts,
 * wish-status.ts, patrol-schedule.ts), since they need the record's history, not the written
 * value and the writer's role: slots still free, the claim a withdrawal names being the
 * writer's own, a task done before it is confirmed, a wish published before it is claimed, the
 * run being the volunteer's own (runs of others are staff's) and not finished, the hours
 * credited matching the item's.
 *
 * Invariant: every key and history kind the work commands write has a rule here, and no other;
 * the kinds and who writes them agree with the domain's role tables (contract test:
 * tests/contract/write-rules-tasks.test.ts).
 */
import { isValidIdSegment } from './doc-names.ts';
import {
	anyValue,
	authoredEntry,
	isPlainObject,
	keyed,
	list,
	record,
	staff,
	value,
	writerName,
	type DocRules,
	type Rule,
	type ValueCheck,
	type Who
} from './write-rules.ts';

/** Staff and volunteers: who does the work. */
const worker: Who = (w, t) => staff(w, t) || w.role === 'volunteer';

/** Who may write each history kind, per kind of record. */
const TASK_HISTORY: Readonly<Record<string, Who>> = Object.freeze({
	created: staff,
	claim: worker,
	release: worker,
	completed: worker,
	confirmed: staff,
	deleted: staff
});
const WISH_HISTORY: Readonly<Record<string, Who>> = Object.freeze({
	created: staff,
	published: staff,
	claim: worker,
	release: worker,
	fulfilled: worker,
	thanked: staff
});
const ROUTE_HISTORY: Readonly<Record<string, Who>> = Object.freeze({
	created: staff,
	deleted: staff
});
const RUN_HISTORY: Readonly<Record<string, Who>> = Object.freeze({
	started: worker,
	tick: worker,
	finding: worker,
	finding_case: worker,
	finished: worker
});

/** A `release` entry's reason: the claimant withdrawing (`unclaim`) or staff settling. */
const RELEASE_BY: Readonly<Record<string, Who>> = Object.freeze({
	unclaim: worker,
	release: staff
});

function historyEntry(kinds: Readonly<Record<string, Who>>): ValueCheck {
	return (raw, writer, target) => {
		const refusal = authoredEntry(raw, writer);
		if (refusal || !isPlainObject(raw)) return refusal ?? 'shape';
		const kind = raw.kind;
		if (typeof kind !== 'string' || !Object.hasOwn(kinds, kind)) return 'shape';
		if (!kinds[kind]?.(writer, target)) return 'not_permitted';
		if (kind === 'release') {
			const reason = raw.reason;
			if (typeof reason !== 'string' || !Object.hasOwn(RELEASE_BY, reason)) return 'shape';
			if (!RELEASE_BY[reason]?.(writer, target)) return 'not_permitted';
		}
		return null;
	};
}

/** A visit's ids, nothing personal (tasks are read by volunteers). */
const visitIds: ValueCheck = (v) =>
	isPlainObject(v) &&
	Object.keys(v).length === 3 &&
	isValidIdSegment(v.gridId) &&
	isValidIdSegment(v.householdId) &&
	isValidIdSegment(v.visitId)
		? null
		: 'shape';

/** A run's runner is whoever starts it. */
const ownMemberId: ValueCheck = (v, w) => (v === w.memberId ? null : 'author');

/**
 * A record created by `creator`: its props (each set once, by the creator's role) and its
 * history, appended to by whoever `kinds` allows.
 */
function workRecords(
	creator: Who,
	props: readonly string[],
	kinds: Readonly<Record<string, Who>>,
	checks: Readonly<Record<string, ValueCheck>> = {}
): Rule {
	const keys: Record<string, Rule> = {
		id: value(creator, (v) => (isValidIdSegment(v) ? null : 'shape')),
		createdAt: value(creator, (v) => (typeof v === 'number' ? null : 'shape')),
		createdBy: value(creator, writerName),
		history: list(creator, value(worker, historyEntry(kinds)))
	};
	for (const prop of props) keys[prop] = value(creator, checks[prop] ?? anyValue);
	return keyed(creator, isValidIdSegment, record(creator, keys));
}

/** The most hours one record credits (src/lib/domain/task-rules.ts HOURS_MAX). */
export const MAX_CREDITED_HOURS = 24;

/**
 * An hour record: written by the one who finishes the work, at most a day's hours; a volunteer
 * credits only a patrol of their own.
 */
const hourRecord: ValueCheck = (raw, writer, target) => {
	if (!isPlainObject(raw)) return 'shape';
	const hours = raw.hours;
	if (typeof hours !== 'number' || !(hours > 0 && hours <= MAX_CREDITED_HOURS)) return 'shape';
	if (raw.by !== writer.name) return 'author';
	if (staff(writer, target)) return null;
	if (raw.source !== 'patrol') return 'not_permitted';
	return raw.memberId === writer.memberId ? null : 'author';
};

export const TASKS_RULES: DocRules = Object.freeze({
	roots: {
		tasks: workRecords(
			staff,
			[
				'createdByDevice',
				'title',
				'details',
				'place',
				'gridId',
				'due',
				'volunteersNeeded',
				'hours',
				'source',
				// Written with the task by a meeting's follow-up (model/meeting/follow-ups.ts).
				'meetingSource',
				// Written with the task by a visit's follow-up (model/household/follow-ups.ts).
				'visitSource'
			],
			TASK_HISTORY,
			{ visitSource: visitIds }
		),
		patrolRoutes: workRecords(
			staff,
			['name', 'area', 'gridId', 'checklist', 'weekdays', 'hoursPerRun'],
			ROUTE_HISTORY
		),
		patrolRuns: workRecords(
			worker,
			['day', 'runnerId', 'routeId', 'routeName', 'gridId', 'checklist', 'hoursPerRun'],
			RUN_HISTORY,
			{ runnerId: ownMemberId }
		),
		wishes: workRecords(staff, ['who', 'what', 'gridId', 'hours'], WISH_HISTORY),
		hours: list(worker, value(worker, hourRecord))
	}
});
