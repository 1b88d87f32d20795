/**
 * Task readers: the tasks of a community as frozen plain snapshots.
 *
 * Invariant: pure functions of the document; replicas holding the same updates return deeply
 * equal snapshots. Claims are ranked by (at, clientId, id) (task-rules.ts), so after sync
 * every phone shows the same people in the same slots and the same over-claims.
 */

import type * as Y from 'yjs';
import { dueState, type DueState } from '../../domain/task-rules';
import { DEFAULT_TIME_ZONE, dayKeyOf } from '../../domain/due-date';
import {
	deriveTaskStatus,
	inSlot,
	type RankedClaim,
	type TaskFacts,
	type TaskStatus
} from '../../domain/task-rules';
import {
	findWorkRecord,
	firstOf,
	readNumber,
	readString,
	tasksMap,
	type HistoryEntry,
	type WorkRecord
} from './schema';
import {
	firstNote,
	notesOf,
	rankedClaimsIn,
	listWorkItems,
	readWorkItem,
	withAuthorship,
	type WithAuthorship,
	type WorkItemBase,
	type WorkNote
} from './work-item';

/** Where a task came from: a case on a grid board (or, later, a meeting action). */
export type TaskSource = Readonly<{ kind: 'case'; gridId: string; caseId: string }>;

/** A task; its claims are in slot order, each marked in_slot / over_claimed / duplicate. */
export type TaskSnapshot = WorkItemBase &
	Readonly<{
		title: string;
		details: string;
		place: string;
		due: string;
		volunteersNeeded: number;
		source: TaskSource | null;
		/** The meeting action this task follows up (written by model/meeting/follow-ups.ts), or null. */
		meeting: Readonly<{ meetingId: string; itemId: string }> | null;
		status: TaskStatus;
		/** Every completion (two volunteers may complete concurrently; neither note is lost). */
		completions: readonly WorkNote[];
		confirmation: WorkNote | null;
	}>;

function readMeeting(record: WorkRecord): TaskSnapshot['meeting'] {
	const raw = record.map.get('meetingSource');
	if (typeof raw !== 'object' || raw === null) return null;
	const { meetingId, itemId } = raw as Record<string, unknown>;
	if (typeof meetingId !== 'string' || typeof itemId !== 'string') return null;
	return Object.freeze({ meetingId, itemId });
}

function readSource(record: WorkRecord): TaskSource | null {
	const raw = record.map.get('source');
	if (typeof raw !== 'object' || raw === null) return null;
	const { kind, gridId, caseId } = raw as Record<string, unknown>;
	if (kind !== 'case' || typeof gridId !== 'string' || typeof caseId !== 'string') return null;
	return Object.freeze({ kind, gridId, caseId });
}

export function taskFacts(record: WorkRecord, history: readonly HistoryEntry[]): TaskFacts {
	const needed = Math.max(1, Math.floor(readNumber(record.map, 'volunteersNeeded', 1)));
	return {
		needed,
		claims: rankedClaimsIn(history, needed),
		completed: firstOf(history, 'completed') !== null,
		confirmed: firstOf(history, 'confirmed') !== null
	};
}

function readTaskRecord(record: WorkRecord): TaskSnapshot | null {
	return readWorkItem(record, taskFacts, (history, facts) => ({
		title: readString(record.map, 'title'),
		details: readString(record.map, 'details'),
		place: readString(record.map, 'place'),
		due: readString(record.map, 'due'),
		volunteersNeeded: facts.needed,
		source: readSource(record),
		meeting: readMeeting(record),
		status: deriveTaskStatus(facts),
		completions: notesOf(history, 'completed'),
		confirmation: firstNote(history, 'confirmed')
	}));
}

/** One task as its page shows it: the snapshot and who sent each history entry. */
export type TaskDetail = WithAuthorship<TaskSnapshot>;

export function readTask(doc: Y.Doc, taskId: string): TaskDetail | null {
	const record = findWorkRecord(tasksMap(doc), taskId);
	return record && withAuthorship(doc, record, readTaskRecord(record));
}

const STATUS_RANK = { open: 0, claimed: 1, done: 2, confirmed: 3 } as const;

/** Every task that is not deleted; open work first, then by due day, then newest. */
export const listTasks = (doc: Y.Doc): readonly TaskSnapshot[] =>
	listWorkItems(
		tasksMap(doc),
		readTaskRecord,
		(a, b) =>
			STATUS_RANK[a.status] - STATUS_RANK[b.status] ||
			(a.due || '9999').localeCompare(b.due || '9999') ||
			b.createdAt - a.createdAt ||
			(a.id < b.id ? -1 : 1)
	);

/** Whether this member holds a slot (or an over-claim) on the task. */
export function claimOf(task: TaskSnapshot, memberId: string): RankedClaim | null {
	return task.claims.find((claim) => claim.memberId === memberId) ?? null;
}

export function volunteersInSlot(task: TaskSnapshot): readonly RankedClaim[] {
	return inSlot(task.claims);
}

/** How the task's due day stands today in the community's zone; finished tasks are never overdue. */
export function taskDueState(
	task: TaskSnapshot,
	now: number,
	zone: string = DEFAULT_TIME_ZONE
): DueState {
	if (task.status === 'done' || task.status === 'confirmed') return 'none';
	return dueState(task.due, dayKeyOf(now, zone));
}
