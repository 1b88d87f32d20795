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
import { newId } from '../../domain/ids';
import { err, ok, type Result } from '../../domain/result';
import {
	canTaskAction,
	checkTaskAction,
	inSlot,
	validateNote,
	validateTaskInput,
	type TaskActionReason,
	type TaskInput,
	type TaskInputReason,
	type TaskStatus,
	type WorkActor
} from '../../domain/task-rules';
import type { PhotoInput } from '../case/photos';
import { ORIGIN_LOCAL_EDIT } from '../origins';
import { appendHours } from './service-hours';
import { taskFacts, type TaskSource } from './readers';
import {
	appendHistory,
	findWorkRecord,
	insertWorkRecord,
	newHistoryEntry,
	photoData,
	readHistory,
	readNumber,
	readString,
	tasksMap
} from './schema';
import { deriveTaskStatus } from '../../domain/task-rules';

export type CreateTaskReason = TaskInputReason | 'not_allowed';
export type TaskCommandReason = TaskActionReason | 'task_not_found' | 'note_too_long' | 'bad_photo';

export function createTask(
	doc: Y.Doc,
	input: TaskInput,
	actor: WorkActor,
	at: number = Date.now(),
	source: TaskSource | null = null
): Result<string, CreateTaskReason> {
	if (!canTaskAction(actor.role, 'create')) return err('not_allowed');
	const valid = validateTaskInput(input);
	if (!valid.ok) return valid;
	const id = newId('t');
	const { title, details, place, gridId, due, volunteersNeeded, hours } = valid.value;
	doc.transact(() => {
		insertWorkRecord(
			tasksMap(doc),
			id,
			{
				createdAt: at,
				createdBy: actor.name,
				createdByDevice: actor.deviceId,
				title,
				details,
				place,
				gridId,
				due,
				volunteersNeeded,
				hours,
				source: source ? { ...source } : null
			},
			newHistoryEntry(actor, 'created', at, { title })
		);
	}, ORIGIN_LOCAL_EDIT);
	return ok(id);
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
	actor: WorkActor,
	at: number = Date.now()
): Result<string, CreateTaskReason> {
	return createTask(
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
		actor,
		at,
		{ kind: 'case', gridId: ref.gridId, caseId: ref.caseId }
	);
}

type TaskAct = 'claim' | 'unclaim' | 'complete' | 'confirm' | 'release' | 'delete';

function act(
	doc: Y.Doc,
	taskId: string,
	action: TaskAct,
	actor: WorkActor,
	at: number,
	details: { note?: string; claimId?: string; photos?: readonly PhotoInput[] } = {}
): Result<TaskStatus, TaskCommandReason> {
	const record = findWorkRecord(tasksMap(doc), taskId);
	if (!record) return err('task_not_found');
	const history = readHistory(record);
	const facts = taskFacts(record, history);
	const check = checkTaskAction(facts, action, actor, details.claimId);
	if (!check.ok) return check;
	let note = '';
	if (details.note !== undefined) {
		const valid = validateNote(details.note);
		if (!valid.ok) return valid;
		note = valid.value;
	}
	const photos = photoData(details.photos ?? []);
	if (!photos) return err('bad_photo');
	doc.transact(() => {
		switch (action) {
			case 'claim':
				appendHistory(record, newHistoryEntry(actor, 'claim', at, { clientId: doc.clientID }));
				break;
			case 'unclaim':
			case 'release':
				appendHistory(
					record,
					newHistoryEntry(actor, 'release', at, { claimId: check.value?.id, reason: action })
				);
				break;
			case 'complete':
				appendHistory(record, newHistoryEntry(actor, 'completed', at, { note, photos }));
				break;
			case 'confirm': {
				const credited = inSlot(facts.claims);
				appendHistory(
					record,
					newHistoryEntry(actor, 'confirmed', at, {
						note,
						credited: credited.map((claim) => claim.memberId)
					})
				);
				appendHours(
					doc,
					credited,
					{
						source: 'task',
						sourceId: taskId,
						title: readString(record.map, 'title'),
						hours: readNumber(record.map, 'hours', 1)
					},
					actor.name,
					at
				);
				break;
			}
			case 'delete':
				appendHistory(record, newHistoryEntry(actor, 'deleted', at));
				break;
		}
	}, ORIGIN_LOCAL_EDIT);
	return ok(deriveTaskStatus(taskFacts(record, readHistory(record))));
}

export const claimTask = (doc: Y.Doc, taskId: string, actor: WorkActor, at = Date.now()) =>
	act(doc, taskId, 'claim', actor, at);

export const unclaimTask = (doc: Y.Doc, taskId: string, actor: WorkActor, at = Date.now()) =>
	act(doc, taskId, 'unclaim', actor, at);

/**
 * Marks the task done with a note (what was done, anything staff should know) and photos that
 * are already in the photo outbox.
 */
export const completeTask = (
	doc: Y.Doc,
	taskId: string,
	note: string,
	actor: WorkActor,
	at = Date.now(),
	photos: readonly PhotoInput[] = []
) => act(doc, taskId, 'complete', actor, at, { note, photos });

/** Staff confirm a done task; every volunteer in a slot is credited the task's hours. */
export const confirmTask = (
	doc: Y.Doc,
	taskId: string,
	actor: WorkActor,
	at = Date.now(),
	note = ''
) => act(doc, taskId, 'confirm', actor, at, { note });

/** Staff settle an over-claim (or any claim) by releasing it; the claim stays in the history. */
export const releaseTaskClaim = (
	doc: Y.Doc,
	taskId: string,
	claimId: string,
	actor: WorkActor,
	at = Date.now()
) => act(doc, taskId, 'release', actor, at, { claimId });

export const deleteTask = (doc: Y.Doc, taskId: string, actor: WorkActor, at = Date.now()) =>
	act(doc, taskId, 'delete', actor, at);
