/**
 * How the case page shows a field's value: the shared value text (components/case-labels.ts) with
 * the community's category names and zone, and assignees outside the community marked as such.
 */
import { m } from '$lib/paraglide/messages.js';
import { isOutsider, type RosterMember } from '$lib/domain/assignees';
import type { CommunitySettings } from '$lib/model/directory';
import { communityCategoryLabel } from '$lib/components/labels';
import { caseValueText } from '$lib/components/case-labels';

export function pageValueText(
	settings: CommunitySettings,
	roster: readonly RosterMember[] | null
): (field: string, value: unknown) => string {
	return (field, value) =>
		caseValueText(field, value, {
			categoryName: (id) => communityCategoryLabel(id, settings.categories),
			zone: settings.timeZone,
			assigneeName: (a) =>
				isOutsider(a, roster) ? m.assignee_outside_named({ name: a.name }) : a.name
		});
}
