/**
 * Task commands: every write to the community's volunteer tasks (`c/{cid}/tasks`). Each checks
 * the rules against what this replica shows (task-rules.ts), then runs one
 * `doc.transact(fn, ORIGIN_LOCAL_EDIT)` that appends history entries (and, for a confirmation,
 * service-hour records).
 *
 * Invariant: a refused command writes nothing; an accepted one only appends. A claim is its own
 * history entry carrying the writer's Yjs client id, so concurrent offline claims are all kept
 * and ranked the same way everywhere; an over-claim is settled by a `release` entry, never by
 * deleting a claim.
 */

import type * as Y from 'yjs';
import type { Result } from '../../domain/result';
import {
	canTaskAction,
	checkTaskAction,
	deriveTaskStatus,
	inSlot,
	validateTaskInput,
	type TaskAction,
	type TaskActionReason,
	type TaskFacts,
	type TaskInput,
	type TaskInputReason,
	type TaskStatus
} from '../../domain/task-rules';
import type { CommandContext } from '../command-context';
import { taskFacts, type TaskSource } from './readers';
import { tasksMap } from './schema';
import {
	claimCommands,
	createIfAllowed,
	createWorkItem,
	workItemAct,
	type WorkItemKind,
	type WorkReport
} from './work-item';

export type CreateTaskReason = TaskInputReason | 'not_allowed';

function insertTask(
	doc: Y.Doc,
	input: TaskInput,
	source: TaskSource | null,
	context: CommandContext
): Result<string, CreateTaskReason> {
	return createIfAllowed(
		context,
		(role) => canTaskAction(role, 'create'),
		() => validateTaskInput(input),
		({ title, details, place, gridId, due, volunteersNeeded, hours }) =>
			createWorkItem(
				doc,
				tasksMap(doc),
				't',
				{
					createdByDevice: context.actor.deviceId,
					...{ title, details, place, gridId, due, volunteersNeeded, hours },
					source: source ? { ...source } : null
				},
				context,
				{ kind: 'created', details: { title } }
			)
	);
}

export function createTask(
	doc: Y.Doc,
	input: TaskInput,
	context: CommandContext
): Result<string, CreateTaskReason> {
	return insertTask(doc, input, null, context);
}

/** A case as the task form needs it: its id, its grid, and what it says. */
export type CaseRef = Readonly<{
	gridId: string;
	caseId: string;
	title: string;
	location: string;
	description: string;
}>;

/**
 * A task that follows up a case: it links back to the case (grid board + case id) and starts
 * from the case's title and place; the rest comes from `input`.
 */
export function createTaskFromCase(
	doc: Y.Doc,
	ref: CaseRef,
	input: Partial<TaskInput>,
	context: CommandContext
): Result<string, CreateTaskReason> {
	return insertTask(
		doc,
		{
			title: ref.title,
			details: ref.description,
			place: ref.location,
			gridId: ref.gridId,
			due: '',
			volunteersNeeded: 1,
			hours: 1,
			...input
		},
		{ kind: 'case', gridId: ref.gridId, caseId: ref.caseId },
		context
	);
}

type TaskAct = Exclude<TaskAction, 'create'>;

const TASK: WorkItemKind<TaskFacts, TaskAct, TaskStatus, TaskActionReason> = {
	map: tasksMap,
	facts: taskFacts,
	check: checkTaskAction,
	status: deriveTaskStatus,
	write({ action, facts, note, photos, entry, credit }) {
		if (action === 'complete') entry('completed', { note, photos });
		else if (action === 'delete') entry('deleted');
		else if (action === 'confirm') {
			const credited = inSlot(facts.claims);
			entry('confirmed', { note, credited: credited.map((claim) => claim.memberId) });
			credit(credited, 'task', 'title');
		}
	}
};

const act = workItemAct(TASK, 'task_not_found');

/** Claim a slot, withdraw one's claim, and (staff) release a claim to settle an over-claim. */
export const {
	claim: claimTask,
	unclaim: unclaimTask,
	release: releaseTaskClaim
} = claimCommands(act);

/**
 * Marks the task done with a note (what was done, anything staff should know) and photos that
 * are already in the photo outbox.
 */
export const completeTask = (
	doc: Y.Doc,
	taskId: string,
	report: WorkReport,
	context: CommandContext
) => act(doc, taskId, 'complete', context, report);

/** Staff confirm a done task; every volunteer in a slot is credited the task's hours. */
export const confirmTask = (doc: Y.Doc, taskId: string, note: string, context: CommandContext) =>
	act(doc, taskId, 'confirm', context, { note });

export const deleteTask = (doc: Y.Doc, taskId: string, context: CommandContext) =>
	act(doc, taskId, 'delete', context);
