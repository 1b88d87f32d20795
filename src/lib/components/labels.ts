/** Domain values → translated labels. Every status, action and category has one in both locales. */
import { m } from '$lib/paraglide/messages.js';
import type { CaseAction, CaseStatus } from '$lib/domain/case-status';
import type { CaseCategory } from '$lib/domain/case-category';
import type { Role } from '$lib/domain/access';

const STATUS_LABELS: Record<CaseStatus, () => string> = {
	reported: m.status_reported,
	in_progress: m.status_in_progress,
	resolved: m.status_resolved,
	reviewed: m.status_reviewed
};

const ACTION_LABELS: Record<CaseAction, () => string> = {
	start: m.action_start,
	resolve: m.action_resolve,
	review: m.action_review,
	reopen: m.action_reopen
};

const CATEGORY_LABELS: Record<CaseCategory, () => string> = {
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

export const statusLabel = (status: CaseStatus): string => STATUS_LABELS[status]();
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
