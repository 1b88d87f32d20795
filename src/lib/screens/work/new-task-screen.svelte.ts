/**
 * The new-task screen: staff write a task, on its own or as the follow-up of a case (the form
 * starts from the case's text and the task links back to it).
 *
 * Invariant: a due day already over on the community's calendar is refused before any command
 * runs; otherwise the one create command decides, and its refusal lands in `problem`.
 */

import { isDayKey, isPastDay, type DayKey } from '$lib/domain/due-date';
import { isStaff, validateTaskInput } from '$lib/domain/task-rules';
import { createTask, createTaskFromCase } from '$lib/model/work';
import { WorkScreen, type ContextSource, type DocSource } from './work-screen.svelte';

/** The case a task follows up: its grid and id. */
export type TaskOrigin = Readonly<{ gridId: string; caseId: string }>;

export class NewTaskScreen extends WorkScreen<unknown> {
	draft = $state({
		title: '',
		details: '',
		place: '',
		gridId: '',
		due: '',
		volunteersNeeded: 1,
		hours: 1
	});
	readonly #origin: TaskOrigin | null;
	readonly #calendar: Readonly<{ zone: () => string; today: () => DayKey }>;
	#seeded = false;

	constructor(
		source: DocSource<unknown>,
		context: ContextSource,
		origin: TaskOrigin | null,
		calendar: Readonly<{ zone: () => string; today: () => DayKey }>
	) {
		super(source, context);
		this.#origin = origin;
		this.#calendar = calendar;
		this.draft.gridId = origin?.gridId ?? '';
	}

	get current(): Readonly<{ staff: boolean; duePast: boolean }> {
		const due = this.draft.due;
		return {
			staff: isStaff(this.member.role),
			duePast: isDayKey(due) && isPastDay(due, Date.now(), this.#calendar.zone())
		};
	}

	/** Starts the form from the case's text once it has arrived, keeping what was typed. */
	seed(text: Readonly<{ title: string; place: string; details: string }>): void {
		if (this.#seeded) return;
		this.#seeded = true;
		this.draft.title ||= text.title;
		this.draft.place ||= text.place;
		this.draft.details ||= text.details;
	}

	/** Creates the task; its id, or null when refused. */
	create(): string | null {
		const input = {
			...this.draft,
			volunteersNeeded: Number(this.draft.volunteersNeeded),
			hours: Number(this.draft.hours)
		};
		const checked = validateTaskInput(input, this.#calendar.today());
		if (!checked.ok && checked.reason === 'due_in_past') {
			this.settle(checked);
			return null;
		}
		const origin = this.#origin;
		const result = origin
			? createTaskFromCase(
					this.source.doc,
					{ ...origin, title: '', location: '', description: '' },
					input,
					this.context()
				)
			: createTask(this.source.doc, input, this.context());
		return this.settle(result) ? result.value : null;
	}
}
