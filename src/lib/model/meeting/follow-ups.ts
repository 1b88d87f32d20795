/**
 * Follow-ups: an action from a meeting becomes a case on a grid's board, or a volunteer task, in
 * one step, linked both
 * ways (channel `meeting`, the deadline chosen). A deadline is the end of the chosen day in the
 * community's time zone (domain/due-date.ts), so a case made from an action is due exactly when
 * a case given that date directly is, and a task gets that same day as its due day. The case carries `source: { kind: 'meeting', meetingId, itemId }` (a plain value beside
 * its fields, written in the same transaction as `createCase`); the meeting's action carries a
 * follow-up link `{ kind: 'case', gridId, targetId, owner, deadline, tier }`.
 *
 * The owner is an assignee entry (domain/assignees.ts): a member picked from the members list as
 * `<name>#<memberId>`, so the case lands in that member's 我的案件 by id, or a typed plain name
 * for someone outside the community. The link keeps the same entry; `followUpOwner` reads it.
 *
 * Both take the member's command context last: only someone who may change meetings
 * (domain/meeting-permissions.ts) makes follow-ups; the case or task itself is made by its own
 * aggregate's command with the same actor.
 *
 * Invariant: the case is created before the link is written, so a link never names a case that
 * was not created; the meeting reads the case's live status from the board document; a refused
 * follow-up writes nothing anywhere.
 */

import * as Y from 'yjs';
import { parseAssignee, type Assignee } from '../../domain/assignees';
import { validateAssignees, type NewCaseInput } from '../../domain/case-input';
import type { CaseId } from '../../domain/ids';
import { DEFAULT_TIME_ZONE, dayOfDeadline } from '../../domain/due-date';
import type { FollowUpTier, MeetingId, MeetingItemId } from '../../domain/meeting-rules';
import { err, ok, type Result } from '../../domain/result';
import { createCase, type CreateCaseReason } from '../case/commands';
import { createTask, type CreateTaskReason } from '../work/tasks';
import { tasksMap } from '../work/schema';
import { casesMap } from '../case/schema';
import { commandTime, type Authority, type CommandContext } from '../command-context';
import { permitsMeetingEdits } from './commands';
import { actionFollowUps, linkFollowUp } from './record';
import { ORIGIN_LOCAL_EDIT } from '../origins';

export type MeetingSource = Readonly<{ kind: 'meeting'; meetingId: string; itemId: string }>;

export type CaseFollowUpInput = Readonly<{
	meetingId: MeetingId;
	itemId: MeetingItemId;
	gridId: string;
	title: string;
	description: string;
	category: string;
	/** An assignee entry: `formatAssignee` of a picked member, or a typed name ('' for none). */
	owner: string;
	/** The end of the due day in the community's zone (`deadlineOfDay`), or null. */
	deadline: number | null;
	tier: FollowUpTier;
}>;

/** The owner a follow-up link names, as an assignee (name for reading, member id if any). */
export function followUpOwner(link: Readonly<{ owner: string }>): Assignee {
	return parseAssignee(link.owner);
}

function ownerAsAssignees(owner: string): readonly string[] {
	const name = owner.trim();
	return validateAssignees([name]).ok ? [name] : [];
}

export function createCaseFromAction(
	boardDoc: Y.Doc,
	meetingDoc: Y.Doc,
	input: CaseFollowUpInput,
	context: CommandContext<Authority>
): Result<CaseId, CreateCaseReason | 'item_not_found' | 'not_an_action' | 'not_permitted'> {
	if (!permitsMeetingEdits(context)) return err('not_permitted');
	const { actor } = context;
	const at = commandTime(context);
	const pinned = { ...context, at };
	const action = actionFollowUps(meetingDoc, input.itemId);
	if (!action.ok) return action;
	const caseInput: NewCaseInput = {
		title: input.title,
		description: input.description,
		category: input.category,
		channel: 'meeting',
		deadline: input.deadline,
		// The action's owner handles the case (a member entry or a name that the assignee rules
		// accept), at the tier the meeting chose.
		assignees: ownerAsAssignees(input.owner),
		tier: input.tier
	};
	let created: Result<CaseId, CreateCaseReason> = err('title_required');
	boardDoc.transact(() => {
		created = createCase(boardDoc, caseInput, {
			actor,
			authority: { ...context.authority, gridId: input.gridId },
			at
		});
		if (!created.ok) return;
		const source: MeetingSource = {
			kind: 'meeting',
			meetingId: input.meetingId,
			itemId: input.itemId
		};
		const map = casesMap(boardDoc).get(created.value);
		if (map && typeof map === 'object' && 'set' in map) {
			(map as Y.Map<unknown>).set('source', { ...source });
		}
	}, ORIGIN_LOCAL_EDIT);
	const result = created as Result<CaseId, CreateCaseReason>;
	if (!result.ok) return result;
	const linked = linkFollowUp(
		meetingDoc,
		input.itemId,
		{
			kind: 'case',
			gridId: input.gridId,
			targetId: result.value,
			owner: input.owner.trim(),
			deadline: input.deadline,
			tier: input.tier
		},
		pinned
	);
	return linked.ok ? ok(result.value) : linked;
}

export type TaskFollowUpInput = Readonly<{
	meetingId: MeetingId;
	itemId: MeetingItemId;
	gridId: string;
	title: string;
	details: string;
	owner: string;
	/** The end of the due day in the community's zone (`deadlineOfDay`), or null. */
	deadline: number | null;
	/** The community's time zone: the task's due day is the deadline's day there. */
	timeZone?: string;
}>;

/**
 * An action becomes a volunteer task (`c/{cid}/tasks`) through the tasks' own `createTask`.
 * Their `TaskSource` names only cases, so the way back is kept beside it as `meetingSource:
 * { meetingId, itemId }` on the task's map, in the same transaction (read by `readTaskSource`).
 */
export function createTaskFromAction(
	tasksDoc: Y.Doc,
	meetingDoc: Y.Doc,
	input: TaskFollowUpInput,
	context: CommandContext<Authority>
): Result<string, CreateTaskReason | 'item_not_found' | 'not_an_action' | 'not_permitted'> {
	if (!permitsMeetingEdits(context)) return err('not_permitted');
	const at = commandTime(context);
	const pinned = { ...context, at };
	const action = actionFollowUps(meetingDoc, input.itemId);
	if (!action.ok) return action;
	let created: Result<string, CreateTaskReason> = err('title_required');
	tasksDoc.transact(() => {
		created = createTask(
			tasksDoc,
			{
				title: input.title,
				details: input.details,
				place: '',
				gridId: input.gridId,
				due: dayOfDeadline(input.deadline, input.timeZone ?? DEFAULT_TIME_ZONE),
				volunteersNeeded: 1,
				hours: 1
			},
			pinned
		);
		if (!created.ok) return;
		const map = tasksMap(tasksDoc).get(created.value);
		if (map instanceof Y.Map) {
			map.set('meetingSource', { meetingId: input.meetingId, itemId: input.itemId });
		}
	}, ORIGIN_LOCAL_EDIT);
	const result = created as Result<string, CreateTaskReason>;
	if (!result.ok) return result;
	const linked = linkFollowUp(
		meetingDoc,
		input.itemId,
		{
			kind: 'task',
			gridId: input.gridId,
			targetId: result.value,
			owner: input.owner.trim(),
			deadline: input.deadline,
			// Volunteer tasks have no tier.
			tier: null
		},
		pinned
	);
	return linked.ok ? ok(result.value) : linked;
}

/** The meeting a task came from, if any. */
export function readTaskSource(tasksDoc: Y.Doc, taskId: string): MeetingSource | null {
	const map = tasksMap(tasksDoc).get(taskId);
	if (!(map instanceof Y.Map)) return null;
	const source = map.get('meetingSource') as Record<string, unknown> | undefined;
	if (!source || typeof source.meetingId !== 'string' || typeof source.itemId !== 'string') {
		return null;
	}
	return Object.freeze({ kind: 'meeting', meetingId: source.meetingId, itemId: source.itemId });
}

/** The meeting a case came from, if any. */
export function readCaseSource(boardDoc: Y.Doc, caseId: string): MeetingSource | null {
	const map = casesMap(boardDoc).get(caseId);
	if (!map || typeof map !== 'object' || !('get' in map)) return null;
	const source = (map as Y.Map<unknown>).get('source') as Record<string, unknown> | undefined;
	if (!source || source.kind !== 'meeting') return null;
	if (typeof source.meetingId !== 'string' || typeof source.itemId !== 'string') return null;
	return Object.freeze({ kind: 'meeting', meetingId: source.meetingId, itemId: source.itemId });
}
