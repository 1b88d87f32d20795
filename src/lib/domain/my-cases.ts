/**
 * "My cases" (我的案件): the open cases assigned to one member, across the boards they hold, in
 * the order they need attention: overdue first (the longest overdue first), then due soon (the
 * soonest first), then the rest (the soonest deadline first). Pure and clock-free: the caller
 * passes `now` and the community's deadline rules, so it works offline on the device.
 *
 * Invariant: the order is total (ties end on grid and case id), so two devices list the same
 * cases in the same order.
 */
import { isAssignedTo, type Me } from './assignees';
import { DAY_MS, effectiveDeadline, type DeadlineCase, type DeadlineRules } from './case-deadline';
import { isOpenStatus } from './case-status';

/** A case is due soon when its deadline is at most this far ahead. */
export const DUE_SOON_MS = 2 * DAY_MS;

export const MY_CASE_URGENCIES = ['overdue', 'due_soon', 'later'] as const;
export type MyCaseUrgency = (typeof MY_CASE_URGENCIES)[number];

export type MyCaseInput = DeadlineCase &
	Readonly<{ id: string; gridId: string; assignees: readonly string[] }>;

export type MyCase<T extends MyCaseInput> = Readonly<{
	item: T;
	urgency: MyCaseUrgency;
	/** The deadline that applies (explicit, else the tier's default). */
	due: number;
}>;

export function caseUrgency(due: number, now: number): MyCaseUrgency {
	if (due < now) return 'overdue';
	return due - now <= DUE_SOON_MS ? 'due_soon' : 'later';
}

const RANK: Readonly<Record<MyCaseUrgency, number>> = { overdue: 0, due_soon: 1, later: 2 };

function compare<T extends MyCaseInput>(a: MyCase<T>, b: MyCase<T>): number {
	if (a.urgency !== b.urgency) return RANK[a.urgency] - RANK[b.urgency];
	if (a.due !== b.due) return a.due - b.due;
	if (a.item.gridId !== b.item.gridId) return a.item.gridId < b.item.gridId ? -1 : 1;
	return a.item.id < b.item.id ? -1 : a.item.id > b.item.id ? 1 : 0;
}

/** My open cases among `items`, most urgent first. */
export function listMyCases<T extends MyCaseInput>(
	items: readonly T[],
	me: Me,
	now: number,
	rules: DeadlineRules = {}
): readonly MyCase<T>[] {
	const mine: MyCase<T>[] = [];
	for (const item of items) {
		if (!isOpenStatus(item.status) || !isAssignedTo(item.assignees, me)) continue;
		const due = effectiveDeadline(item, rules);
		mine.push(Object.freeze({ item, urgency: caseUrgency(due, now), due }));
	}
	return Object.freeze(mine.sort(compare));
}
