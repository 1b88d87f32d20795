/**
 * Patrols in the tasks document: routes (area, checklist, weekdays) and runs (start, tick
 * items, note findings, link a finding to the case it became, finish).
 *
 * Invariant: routes and runs are write-once props plus an append-only history (model/work/schema.ts).
 * A tick is an entry, and an item's state is its latest tick by (at, id), so ticks made on two
 * phones converge. Finishing a run credits its runner the route's hours once (the reader of
 * hours de-duplicates a run finished twice).
 */

import type * as Y from 'yjs';
import {
	canPatrol,
	nextPatrolDay,
	validateFindingNote,
	validatePatrolRoute,
	type PatrolRouteInput,
	type ValidPatrolRoute
} from '../../domain/patrol-schedule';
import { err, ok, type Result } from '../../domain/result';
import {
	DEFAULT_TIME_ZONE,
	dayKeyOf,
	isDayKey,
	isWeekday,
	type DayKey
} from '../../domain/due-date';
import type { PhotoInput } from '../case/photos';
import { commandTime, type CommandContext } from '../command-context';
import { ORIGIN_LOCAL_EDIT } from '../origins';
import { appendHours } from './service-hours';
import {
	appendHistory,
	findWorkRecord,
	firstOf,
	newHistoryEntry,
	noteOf,
	parseWorkRecord,
	patrolRoutesMap,
	photosIn,
	patrolRunsMap,
	readHistory,
	readNumber,
	readString,
	type WorkRecord
} from './schema';
import {
	appendWorkEntry,
	createIfAllowed,
	createWorkItem,
	reportPhotos,
	workMember,
	type WorkReport
} from './work-item';

// ---- readers ----

export type PatrolRouteSnapshot = ValidPatrolRoute &
	Readonly<{
		id: string;
		createdAt: number;
		deleted: boolean;
	}>;

export type PatrolFinding = Readonly<{
	id: string;
	note: string;
	by: string;
	at: number;
	photos: readonly PhotoInput[];
	/** The case this finding became, once someone reported it. */
	caseRef: Readonly<{ gridId: string; caseId: string }> | null;
}>;

export type PatrolRunSnapshot = Readonly<{
	id: string;
	routeId: string;
	routeName: string;
	gridId: string;
	checklist: readonly string[];
	startedAt: number;
	day: DayKey;
	runner: string;
	runnerId: string;
	/** Per checklist item: ticked or not (latest tick wins). */
	ticked: readonly boolean[];
	findings: readonly PatrolFinding[];
	finishedAt: number | null;
}>;

const stringList = (value: unknown): readonly string[] =>
	Object.freeze(
		Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []
	);

function readRoute(record: WorkRecord): PatrolRouteSnapshot | null {
	const createdAt = record.map.get('createdAt');
	if (typeof createdAt !== 'number') return null;
	const weekdays = record.map.get('weekdays');
	return Object.freeze({
		id: record.id,
		name: readString(record.map, 'name'),
		area: readString(record.map, 'area'),
		gridId: readString(record.map, 'gridId'),
		checklist: stringList(record.map.get('checklist')),
		weekdays: Object.freeze(Array.isArray(weekdays) ? weekdays.filter(isWeekday) : []),
		hoursPerRun: readNumber(record.map, 'hoursPerRun', 1),
		createdAt,
		deleted: firstOf(readHistory(record), 'deleted') !== null
	});
}

const dayOf = (stored: unknown, startedAt: number): DayKey =>
	isDayKey(stored) ? stored : dayKeyOf(startedAt, DEFAULT_TIME_ZONE);

function readRun(record: WorkRecord): PatrolRunSnapshot | null {
	const startedAt = record.map.get('createdAt');
	if (typeof startedAt !== 'number') return null;
	const history = readHistory(record);
	const checklist = stringList(record.map.get('checklist'));
	const ticked = checklist.map(() => false);
	const links = new Map<string, { gridId: string; caseId: string }>();
	for (const entry of history) {
		if (entry.kind === 'tick' && typeof entry.item === 'number' && entry.item in ticked) {
			ticked[entry.item] = entry.checked === true;
		}
		if (
			entry.kind === 'finding_case' &&
			typeof entry.findingId === 'string' &&
			typeof entry.gridId === 'string' &&
			typeof entry.caseId === 'string' &&
			!links.has(entry.findingId)
		) {
			links.set(entry.findingId, Object.freeze({ gridId: entry.gridId, caseId: entry.caseId }));
		}
	}
	const findings = history
		.filter((entry) => entry.kind === 'finding')
		.map((entry) =>
			Object.freeze({
				id: entry.id,
				note: noteOf(entry),
				by: entry.by,
				at: entry.at,
				photos: photosIn(entry),
				caseRef: links.get(entry.id) ?? null
			})
		);
	return Object.freeze({
		id: record.id,
		routeId: readString(record.map, 'routeId'),
		routeName: readString(record.map, 'routeName'),
		gridId: readString(record.map, 'gridId'),
		checklist,
		startedAt,
		// The day it was started on the community's calendar, written at the start; runs written
		// before the day was stored read theirs in the default zone.
		day: dayOf(record.map.get('day'), startedAt),
		runner: readString(record.map, 'createdBy'),
		runnerId: readString(record.map, 'runnerId'),
		ticked: Object.freeze(ticked),
		findings: Object.freeze(findings),
		finishedAt: firstOf(history, 'finished')?.at ?? null
	});
}

export type PatrolRouteSummary = PatrolRouteSnapshot &
	Readonly<{ nextDay: DayKey | null; lastRun: PatrolRunSnapshot | null }>;

function allRuns(doc: Y.Doc): PatrolRunSnapshot[] {
	const runs: PatrolRunSnapshot[] = [];
	for (const [key, value] of patrolRunsMap(doc).entries()) {
		const record = parseWorkRecord(key, value);
		const run = record && readRun(record);
		if (run) runs.push(run);
	}
	return runs.sort((a, b) => b.startedAt - a.startedAt || (a.id < b.id ? 1 : -1));
}

/** Routes that are not deleted, by name, each with its next patrol day from `now` and last run. */
export function listPatrolRoutes(
	doc: Y.Doc,
	now: number = Date.now(),
	zone: string = DEFAULT_TIME_ZONE
): readonly PatrolRouteSummary[] {
	const runs = allRuns(doc);
	const routes: PatrolRouteSummary[] = [];
	for (const [key, value] of patrolRoutesMap(doc).entries()) {
		const record = parseWorkRecord(key, value);
		const route = record && readRoute(record);
		if (!route || route.deleted) continue;
		routes.push(
			Object.freeze({
				...route,
				nextDay: nextPatrolDay(route.weekdays, dayKeyOf(now, zone)),
				lastRun: runs.find((run) => run.routeId === route.id) ?? null
			})
		);
	}
	return Object.freeze(
		routes.sort((a, b) => a.name.localeCompare(b.name, 'zh') || (a.id < b.id ? -1 : 1))
	);
}

export function readPatrolRoute(doc: Y.Doc, routeId: string): PatrolRouteSnapshot | null {
	const record = findWorkRecord(patrolRoutesMap(doc), routeId);
	return record ? readRoute(record) : null;
}

/** A route's runs (or every run), newest first. */
export function listPatrolRuns(doc: Y.Doc, routeId?: string): readonly PatrolRunSnapshot[] {
	const runs = allRuns(doc);
	return Object.freeze(routeId ? runs.filter((run) => run.routeId === routeId) : runs);
}

export function readPatrolRun(doc: Y.Doc, runId: string): PatrolRunSnapshot | null {
	const record = findWorkRecord(patrolRunsMap(doc), runId);
	return record ? readRun(record) : null;
}

// ---- commands ----

export type PatrolReason =
	| 'not_allowed'
	| 'route_not_found'
	| 'run_not_found'
	| 'run_finished'
	| 'item_not_found'
	| 'finding_not_found'
	| 'note_required'
	| 'note_too_long'
	| 'bad_photo';

export const createPatrolRoute = (doc: Y.Doc, input: PatrolRouteInput, context: CommandContext) =>
	createIfAllowed(
		context,
		(role) => canPatrol(role, 'create_route'),
		() => validatePatrolRoute(input),
		(route) =>
			createWorkItem(
				doc,
				patrolRoutesMap(doc),
				'p',
				{
					name: route.name,
					area: route.area,
					gridId: route.gridId,
					checklist: [...route.checklist],
					weekdays: [...route.weekdays],
					hoursPerRun: route.hoursPerRun
				},
				context
			)
	);

/**
 * Starts a run on a route; the run keeps a copy of the checklist it was walked with and the day
 * it was started on in `zone`, the community's time zone (its calendar, not the phone's).
 */
export function startPatrolRun(
	doc: Y.Doc,
	routeId: string,
	zone: string,
	context: CommandContext
): Result<string, PatrolReason> {
	const member = workMember(context);
	if (!canPatrol(member.role, 'start')) return err('not_allowed');
	const route = readPatrolRoute(doc, routeId);
	if (!route || route.deleted) return err('route_not_found');
	const id = createWorkItem(
		doc,
		patrolRunsMap(doc),
		'r',
		{
			day: dayKeyOf(commandTime(context), zone),
			runnerId: member.memberId,
			routeId,
			routeName: route.name,
			gridId: route.gridId,
			checklist: [...route.checklist],
			hoursPerRun: route.hoursPerRun
		},
		context,
		{ kind: 'started' }
	);
	return ok(id);
}

/** The run a member may write to: theirs (or any, for staff), and, unless `late`, not finished. */
function runFor(
	doc: Y.Doc,
	runId: string,
	context: CommandContext,
	late = false
): Result<{ record: WorkRecord; run: PatrolRunSnapshot }, PatrolReason> {
	const record = findWorkRecord(patrolRunsMap(doc), runId);
	const run = record && readRun(record);
	if (!record || !run) return err('run_not_found');
	const member = workMember(context);
	if (!canPatrol(member.role, 'run', run.runnerId === member.memberId)) return err('not_allowed');
	if (!late && run.finishedAt !== null) return err('run_finished');
	return ok({ record, run });
}

export function tickPatrolItem(
	doc: Y.Doc,
	runId: string,
	item: number,
	checked: boolean,
	context: CommandContext
): Result<true, PatrolReason> {
	const open = runFor(doc, runId, context);
	if (!open.ok) return open;
	if (!Number.isInteger(item) || item < 0 || item >= open.value.run.checklist.length) {
		return err('item_not_found');
	}
	appendWorkEntry(doc, open.value.record, 'tick', context, { item, checked });
	return ok(true);
}

/** Notes a finding (what was seen, where), with photos already in the photo outbox; returns its id. */
export function addPatrolFinding(
	doc: Y.Doc,
	runId: string,
	report: WorkReport,
	context: CommandContext
): Result<string, PatrolReason> {
	const open = runFor(doc, runId, context);
	if (!open.ok) return open;
	const valid = validateFindingNote(report.note);
	if (!valid.ok) return valid;
	const photos = reportPhotos(report.photos);
	if (!photos.ok) return photos;
	const entry = appendWorkEntry(doc, open.value.record, 'finding', context, {
		note: valid.value,
		photos: photos.value
	});
	return ok(entry.id);
}

/**
 * Records which case a finding became (the case itself is created on the grid's board with
 * `createCase`). Allowed after the run finished: reporting can wait for signal. The first link
 * by (at, id) is the one shown; a second report of the same finding stays in the history.
 */
export function linkFindingToCase(
	doc: Y.Doc,
	runId: string,
	findingId: string,
	ref: Readonly<{ gridId: string; caseId: string }>,
	context: CommandContext
): Result<true, PatrolReason> {
	const record = findWorkRecord(patrolRunsMap(doc), runId);
	const run = record && readRun(record);
	if (!record || !run) return err('run_not_found');
	if (!run.findings.some((finding) => finding.id === findingId)) return err('finding_not_found');
	const open = runFor(doc, runId, context, true);
	if (!open.ok) return open;
	appendWorkEntry(doc, record, 'finding_case', context, {
		findingId,
		gridId: ref.gridId,
		caseId: ref.caseId
	});
	return ok(true);
}

/** Finishes a run and credits the runner the route's hours. */
export function finishPatrolRun(
	doc: Y.Doc,
	runId: string,
	context: CommandContext
): Result<true, PatrolReason> {
	const open = runFor(doc, runId, context);
	if (!open.ok) return open;
	const { record, run } = open.value;
	const at = commandTime(context);
	doc.transact(() => {
		appendHistory(record, newHistoryEntry(context, 'finished', at));
		appendHours(
			doc,
			[{ memberId: run.runnerId, name: run.runner }],
			{
				source: 'patrol',
				sourceId: runId,
				// The route's name: the hours list shows the day beside it, as every date reads.
				title: run.routeName,
				hours: readNumber(record.map, 'hoursPerRun', 1)
			},
			context.actor.name,
			at
		);
	}, ORIGIN_LOCAL_EDIT);
	return ok(true);
}
