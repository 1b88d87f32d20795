/**
 * What a board page needs from the community's settings: category options (built-in and the
 * community's own, hidden ones left out of the filter) and names, and the overdue rule with the
 * community's deadline days. Shared by the grid board, the community board and my cases.
 */
import { distinctAssignees } from '$lib/domain/assignees';
import type { BoardCase } from '$lib/domain/board-query';
import { isOverdue, type DeadlineCase } from '$lib/domain/case-deadline';
import type { CommunitySettings } from '$lib/model/directory';
import { categoryLabel } from '$lib/components/labels';

export type Option = Readonly<{ value: string; label: string }>;

export function categoryOptions(settings: CommunitySettings): Option[] {
	return settings.categories
		.filter((category) => !category.hidden)
		.map((category) => ({
			value: category.id,
			label: category.label || categoryLabel(category.id)
		}));
}

export function categoryNamer(settings: CommunitySettings): (category: string) => string {
	const names = new Map(
		settings.categories.map((c) => [c.id as string, c.label || categoryLabel(c.id)])
	);
	return (category) => names.get(category) ?? categoryLabel(category);
}

/** Overdue now, with the community's deadline rules (computed on the device: works offline). */
export function overdueRule(
	settings: CommunitySettings,
	now: number
): (item: BoardCase) => boolean {
	return (item) =>
		item.tier !== undefined &&
		item.tierSince !== undefined &&
		isOverdue(item as BoardCase & DeadlineCase, now, settings.deadlineRules);
}

/** People a board's cases are assigned to (member id or name → name), for the assignee filter. */
export function assigneeOptions(items: readonly BoardCase[]): Option[] {
	return [...distinctAssignees(items.flatMap((item) => item.assignees ?? []))];
}
