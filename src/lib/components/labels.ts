/** Domain values → translated labels. Every status, action and category has one in both locales. */
import { m } from '$lib/paraglide/messages.js';
import type { CaseAction, CaseStatus } from '$lib/domain/case-status';
import type { BuiltInCategory } from '$lib/domain/case-category';
import type { Role } from '$lib/wire';
import type {
	CaseChannel,
	HandlingType,
	Priority,
	Satisfaction,
	Tier
} from '$lib/domain/case-options';

// Partial: a status newer than this app version's messages shows as stored, not as a crash.
const STATUS_LABELS: Partial<Record<CaseStatus, () => string>> = {
	reported: m.status_reported,
	accepted: m.status_accepted,
	in_progress: m.status_in_progress,
	resolved: m.status_resolved,
	reviewed: m.status_reviewed,
	closed: m.status_closed,
	duplicate: m.status_duplicate
};

const ACTION_LABELS: Record<CaseAction, () => string> = {
	accept: m.action_accept,
	start: m.action_start,
	resolve: m.action_resolve,
	review: m.action_review,
	close: m.action_close,
	reopen: m.action_reopen,
	mark_duplicate: m.action_mark_duplicate
};

const CATEGORY_LABELS: Record<BuiltInCategory, () => string> = {
	public_facilities: m.category_public_facilities,
	fire_safety: m.category_fire_safety,
	flying_wire: m.category_flying_wire,
	illegal_construction: m.category_illegal_construction,
	noise: m.category_noise,
	sanitation: m.category_sanitation,
	parking: m.category_parking,
	gas_safety: m.category_gas_safety,
	neighbour_dispute: m.category_neighbour_dispute,
	elevator_property: m.category_elevator_property,
	other: m.category_other
};

export const statusLabel = (status: CaseStatus): string => STATUS_LABELS[status]?.() ?? status;
export const actionLabel = (action: CaseAction): string => ACTION_LABELS[action]();
export const categoryLabel = (category: string): string =>
	(CATEGORY_LABELS as Record<string, (() => string) | undefined>)[category]?.() ?? category;

const ROLE_LABELS: Record<Role, () => string> = {
	secretary: m.role_secretary,
	'grid-member': m.role_grid_member,
	volunteer: m.role_volunteer,
	observer: m.role_observer
};

export const roleLabel = (role: string): string =>
	(ROLE_LABELS as Record<string, (() => string) | undefined>)[role]?.() ?? role;

const CHANNEL_LABELS: Record<CaseChannel, () => string> = {
	door_to_door: m.channel_door_to_door,
	phone: m.channel_phone,
	reception_day: m.channel_reception_day,
	patrol: m.channel_patrol,
	walk_in: m.channel_walk_in,
	meeting: m.channel_meeting
};

const HANDLING_LABELS: Record<HandlingType, () => string> = {
	fix_at_once: m.handling_fix_at_once,
	supervised: m.handling_supervised,
	tracked: m.handling_tracked,
	coordinated: m.handling_coordinated,
	listed: m.handling_listed,
	law_enforcement: m.handling_law_enforcement
};

const PRIORITY_LABELS: Record<Priority, () => string> = {
	low: m.priority_low,
	normal: m.priority_normal,
	high: m.priority_high,
	urgent: m.priority_urgent
};

const TIER_LABELS: Record<Tier, () => string> = {
	grid: m.tier_grid,
	community: m.tier_community,
	street: m.tier_street,
	department: m.tier_department
};

const SATISFACTION_LABELS: Record<Satisfaction, () => string> = {
	satisfied: m.satisfaction_satisfied,
	basically_satisfied: m.satisfaction_basically_satisfied,
	dissatisfied: m.satisfaction_dissatisfied
};

const lookup =
	<K extends string>(table: Record<K, () => string>, fallback?: () => string) =>
	(value: string): string =>
		(table as Record<string, (() => string) | undefined>)[value]?.() ?? fallback?.() ?? value;

export const channelLabel = lookup(CHANNEL_LABELS, m.channel_unknown);
export const handlingLabel = lookup(HANDLING_LABELS);
export const priorityLabel = lookup(PRIORITY_LABELS);
export const tierLabel = lookup(TIER_LABELS);
export const satisfactionLabel = lookup(SATISFACTION_LABELS);

/** A category's label in a community: its own name for it, else the built-in translation. */
export function communityCategoryLabel(
	category: string,
	categories: readonly { id: string; label: string }[]
): string {
	const own = categories.find((c) => c.id === category)?.label;
	return own ? own : categoryLabel(category);
}

/** Items joined the way the language lists them ("甲、乙" / "A, B"). */
export function listText(items: readonly string[]): string {
	return items.join(m.list_separator());
}

/** The names of grids given by id ("第一网格、第二网格"); a grid no longer there says so. */
export function gridNamesText(
	ids: readonly string[],
	grids: readonly { id: string; name: string }[]
): string {
	return listText(ids.map((id) => grids.find((grid) => grid.id === id)?.name ?? m.grid_unknown()));
}

/** "Label: " with the language's colon ("标签：" / "Label: "). */
export function labelled(label: string): string {
	return m.label_colon({ label });
}

/** A person's nth device as they'd say it: "their phone", "their second phone"… (1-based). */
export function deviceLabel(ordinal: number): string {
	if (ordinal <= 1) return m.timeline_device_1();
	if (ordinal === 2) return m.timeline_device_2();
	if (ordinal === 3) return m.timeline_device_3();
	return m.timeline_device_n({ n: ordinal });
}
