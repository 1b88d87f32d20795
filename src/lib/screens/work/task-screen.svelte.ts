/**
 * One task's screen: the task with what this member may do to it (claim, withdraw, complete,
 * confirm, release a claim), and the completion report being written (a note and photos).
 *
 * Invariant: the actions offered are the ones the task rules (domain/task-rules.ts) accept for
 * this member and this status; every command result lands in `problem`.
 */

import { createContext } from 'svelte';
import { canTaskAction, isStaff, type RankedClaim } from '$lib/domain/task-rules';
import {
	claimOf,
	claimTask,
	completeTask,
	confirmTask,
	releaseTaskClaim,
	unclaimTask,
	volunteersInSlot,
	type TaskDetail
} from '$lib/model/work';
import { ReportDraft } from './report-draft.svelte';
import {
	entriesById,
	WorkScreen,
	type ContextSource,
	type DocSource,
	type EntriesById
} from './work-screen.svelte';

export type TaskView = Readonly<{
	task: TaskDetail;
	staff: boolean;
	/** This member's claim, in a slot or not. */
	mine: RankedClaim | null;
	/** Volunteers holding a slot. */
	taken: number;
	canClaim: boolean;
	canUnclaim: boolean;
	canComplete: boolean;
	canConfirm: boolean;
	/** Staff may release any claim until the task is confirmed. */
	canRelease: boolean;
	/** Who signed each claim and report (shown with `task.authorship`). */
	entries: EntriesById;
}>;

export class TaskScreen extends WorkScreen<TaskDetail | null> {
	/** The report being written (the completion note and photos). */
	readonly report = new ReportDraft();
	readonly #taskId: string;

	constructor(source: DocSource<TaskDetail | null>, context: ContextSource, taskId: string) {
		super(source, context);
		this.#taskId = taskId;
	}

	/** The task and its view facts; null when there is no such task or it was deleted. */
	get current(): TaskView | null {
		const task = this.source.snapshot.current;
		if (!task || task.deleted) return null;
		const { memberId, role } = this.member;
		const staff = isStaff(role);
		const mine = claimOf(task, memberId);
		const taken = volunteersInSlot(task).length;
		const active = task.status === 'open' || task.status === 'claimed';
		return {
			task,
			staff,
			mine,
			taken,
			canClaim: task.status === 'open' && !mine && canTaskAction(role, 'claim'),
			canUnclaim: mine !== null && active,
			canComplete: active && (mine?.standing === 'in_slot' || (staff && taken > 0)),
			canConfirm: task.status === 'done' && staff,
			canRelease: staff && task.status !== 'confirmed',
			entries: entriesById(task.history)
		};
	}

	claim(): boolean {
		return this.settle(claimTask(this.source.doc, this.#taskId, this.context()));
	}

	unclaim(): boolean {
		return this.settle(unclaimTask(this.source.doc, this.#taskId, this.context()));
	}

	confirm(): boolean {
		return this.settle(confirmTask(this.source.doc, this.#taskId, '', this.context()));
	}

	release(claimId: string): boolean {
		return this.settle(releaseTaskClaim(this.source.doc, this.#taskId, claimId, this.context()));
	}

	/** Marks the task done with the report; it clears once accepted. */
	complete(): boolean {
		return this.report.submit((report) =>
			this.settle(completeTask(this.source.doc, this.#taskId, report, this.context()))
		);
	}
}

export const [getTaskScreen, setTaskScreen] = createContext<TaskScreen>();
