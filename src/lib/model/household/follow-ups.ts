/**
 * A visit's follow-up, linked both ways, the way a meeting's action becomes a case or a task
 * (model/meeting/follow-ups.ts):
 *
 *   createCaseFromVisit   a case on the grid's board (channel `door_to_door` unless the input
 *                         names another), carrying `source: { kind: 'visit', gridId,
 *                         householdId, visitId }` beside its fields, in the case's transaction
 *   createTaskFromVisit   a volunteer task carrying `visitSource: { gridId, householdId, visitId }`
 *   the way back          a link `{ visitId, kind, targetId, gridId }` in the household's `links`
 *                         (./commands.ts linkFollowUp), listed under the visit by the readers
 *
 * The board and the tasks are read by volunteers, so the source names ids only: never a name,
 * an address or anything a resident said. What the case or task says is what the member types
 * (the screen must not prefill it with the household's personal data).
 *
 * Invariant: the case or task is created before the link is written, so a link never names one
 * that was not created; a refused follow-up writes nothing anywhere.
 */

import * as Y from 'yjs';
import type { NewCaseInput } from '../../domain/case-input';
import type { CaseId } from '../../domain/ids';
import type { HouseholdId, VisitId } from '../../domain/household';
import { err, ok, type Result } from '../../domain/result';
import type { TaskInput } from '../../domain/task-rules';
import { createCase, type CreateCaseReason } from '../case/commands';
import { casesMap } from '../case/schema';
import { commandTime } from '../command-context';
import { ORIGIN_LOCAL_EDIT } from '../origins';
import { createTask, type CreateTaskReason } from '../work/tasks';
import { tasksMap } from '../work/schema';
import {
	hasVisit,
	linkFollowUp,
	writableHousehold,
	type FollowUpKind,
	type HouseholdContext,
	type LinkFollowUpReason
} from './commands';

/** Where a case or task came from: a visit to a household of a grid (ids only). */
export type VisitSource = Readonly<{
	kind: 'visit';
	gridId: string;
	householdId: HouseholdId;
	visitId: VisitId;
}>;

export type VisitRef = Readonly<{ householdId: HouseholdId; visitId: VisitId }>;

type FollowUpReason = 'not_permitted' | 'household_not_found' | 'visit_not_found';

function checkVisit(
	householdsDoc: Y.Doc,
	ref: VisitRef,
	context: HouseholdContext
): Result<true, FollowUpReason> {
	const found = writableHousehold(householdsDoc, ref.householdId, context);
	if (!found.ok) return found;
	return hasVisit(found.value, ref.visitId) ? ok(true) : err('visit_not_found');
}

/**
 * A follow-up's steps: the visit checked, `make` run in one transaction of `doc` (it creates the
 * case or task at `at` and marks the visit it came from), then the link written back.
 */
function followUp<T extends string, R extends string>(
	doc: Y.Doc,
	householdsDoc: Y.Doc,
	ref: VisitRef,
	kind: FollowUpKind,
	context: HouseholdContext,
	make: (at: number, source: Readonly<{ gridId: string } & VisitRef>) => Result<T, R>
): Result<T, R | FollowUpReason | LinkFollowUpReason> {
	const checked = checkVisit(householdsDoc, ref, context);
	if (!checked.ok) return checked;
	const at = commandTime(context);
	const { gridId } = context.authority;
	let created!: Result<T, R>;
	doc.transact(() => {
		created = make(at, { gridId, ...ref });
	}, ORIGIN_LOCAL_EDIT);
	if (!created.ok) return created;
	const linked = linkFollowUp(
		householdsDoc,
		ref.householdId,
		{ visitId: ref.visitId, kind, targetId: created.value, gridId },
		{ ...context, at }
	);
	return linked.ok ? ok(created.value) : linked;
}

/** A case on the grid's board following up a visit, linked both ways. */
export function createCaseFromVisit(
	boardDoc: Y.Doc,
	householdsDoc: Y.Doc,
	ref: VisitRef,
	input: NewCaseInput,
	context: HouseholdContext
): Result<CaseId, CreateCaseReason | FollowUpReason | LinkFollowUpReason> {
	return followUp(boardDoc, householdsDoc, ref, 'case', context, (at, from) => {
		const created = createCase(
			boardDoc,
			{ ...input, channel: input.channel ?? 'door_to_door' },
			{ ...context, at }
		);
		if (!created.ok) return created;
		const map = casesMap(boardDoc).get(created.value);
		const source: VisitSource = { kind: 'visit', ...from };
		if (map instanceof Y.Map) map.set('source', { ...source });
		return created;
	});
}

/** A volunteer task following up a visit, linked both ways. */
export function createTaskFromVisit(
	tasksDoc: Y.Doc,
	householdsDoc: Y.Doc,
	ref: VisitRef,
	input: TaskInput,
	context: HouseholdContext
): Result<string, CreateTaskReason | FollowUpReason | LinkFollowUpReason> {
	return followUp(tasksDoc, householdsDoc, ref, 'task', context, (at, from) => {
		const created = createTask(tasksDoc, input, { ...context, at });
		if (!created.ok) return created;
		const map = tasksMap(tasksDoc).get(created.value);
		if (map instanceof Y.Map) map.set('visitSource', { ...from });
		return created;
	});
}

function parseSource(raw: unknown): VisitSource | null {
	if (typeof raw !== 'object' || raw === null) return null;
	const { gridId, householdId, visitId } = raw as Record<string, unknown>;
	if (typeof gridId !== 'string' || typeof householdId !== 'string') return null;
	if (typeof visitId !== 'string') return null;
	return Object.freeze({
		kind: 'visit',
		gridId,
		householdId: householdId as HouseholdId,
		visitId: visitId as VisitId
	});
}

/** The visit a case came from, if any. */
export function readCaseVisitSource(boardDoc: Y.Doc, caseId: string): VisitSource | null {
	const map = casesMap(boardDoc).get(caseId);
	if (!(map instanceof Y.Map)) return null;
	const source = map.get('source') as { kind?: unknown } | undefined;
	return source?.kind === 'visit' ? parseSource(source) : null;
}

/** The visit a task came from, if any. */
export function readTaskVisitSource(tasksDoc: Y.Doc, taskId: string): VisitSource | null {
	const map = tasksMap(tasksDoc).get(taskId);
	return map instanceof Y.Map ? parseSource(map.get('visitSource')) : null;
}
