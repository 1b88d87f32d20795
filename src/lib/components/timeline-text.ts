/**
 * One timeline entry of a case in words, the same on the case page (Timeline.svelte) and in the
 * ledger export (ledger-labels.ts): who did what, with values as the caller shows them.
 *
 * Invariant: every entry kind has its sentence (the switch is exhaustive; a new kind fails the
 * type check here, not silently in one of the two places).
 */
import { m } from '$lib/paraglide/messages.js';
import { assigneeNames } from '$lib/domain/assignees';
import type { TimelineEntry } from '$lib/domain/case-timeline';
import { caseFieldLabel } from './case-labels';
import { listText, satisfactionLabel, tierLabel } from './labels';

export type TimelineTextOptions = Readonly<{
	/** A field's value in words (cut as the caller wants it). */
	shown: (field: string, value: unknown) => string;
	/** A deadline in words (null: none). */
	deadline: (at: number | null) => string;
}>;

export function timelineText(
	entry: TimelineEntry,
	{ shown, deadline }: TimelineTextOptions
): string {
	const by = entry.by;
	switch (entry.kind) {
		case 'created':
			return m.timeline_created({ by });
		case 'status':
			if (entry.satisfaction) {
				return (
					m.timeline_status_review({ by, satisfaction: satisfactionLabel(entry.satisfaction) }) +
					(entry.note ? ` — ${entry.note}` : '')
				);
			}
			return m.timeline_status({
				by,
				from: shown('status', entry.from),
				to: shown('status', entry.to)
			});
		case 'conflict_resolved':
			return m.timeline_conflict_resolved({
				by,
				field: caseFieldLabel(entry.field),
				to: shown(entry.field, entry.to)
			});
		case 'edited':
			return m.timeline_edited({
				by,
				field: caseFieldLabel(entry.field),
				from: shown(entry.field, entry.from),
				to: shown(entry.field, entry.to)
			});
		case 'deadline':
			return m.timeline_deadline({ by, to: deadline(entry.to) });
		case 'tier':
			return (entry.action === 'escalate' ? m.timeline_tier_escalate : m.timeline_tier_hand_back)({
				by,
				to: tierLabel(entry.to),
				reason: entry.reason
			});
		case 'assigned':
			return m.timeline_assigned({ by, to: listText(assigneeNames(entry.to)) || '—' });
		case 'comment':
			return m.timeline_comment({ by, text: entry.text });
		case 'photo_added':
			return m.timeline_photo_added({ by });
		case 'deleted':
			return m.timeline_deleted({ by });
		case 'restored':
			return m.timeline_restored({ by });
	}
}
