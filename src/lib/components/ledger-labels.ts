/**
 * The ledger export's labels in the reader's language and the community's zone
 * (screens/case/ledger-export.ts takes them as given): column names, values by their labels,
 * times in full, and a timeline entry described as the case page describes it.
 */
import { m } from '$lib/paraglide/messages.js';
import type { TimelineEntry } from '$lib/domain/case-timeline';
import type { CaseStatus } from '$lib/domain/case-status';
import type { LedgerColumn, LedgerLabels } from '$lib/screens/case/ledger-export';
import { caseValueText } from './case-labels';
import { timelineText } from './timeline-text';
import {
	channelLabel,
	handlingLabel,
	priorityLabel,
	satisfactionLabel,
	statusLabel,
	tierLabel
} from './labels';

const COLUMNS: Readonly<Record<LedgerColumn, () => string>> = {
	id: m.ledger_col_id,
	grid: m.ledger_col_grid,
	title: m.ledger_col_title,
	description: m.ledger_col_description,
	category: m.ledger_col_category,
	channel: m.ledger_col_channel,
	location: m.ledger_col_location,
	mapPoint: m.ledger_col_map_point,
	reporter: m.ledger_col_reporter,
	residentContact: m.ledger_col_resident_contact,
	status: m.ledger_col_status,
	tier: m.ledger_col_tier,
	priority: m.ledger_col_priority,
	handling: m.ledger_col_handling,
	assignees: m.ledger_col_assignees,
	deadline: m.ledger_col_deadline,
	duplicateOf: m.ledger_col_duplicate_of,
	created: m.ledger_col_created,
	createdBy: m.ledger_col_created_by,
	resolved: m.ledger_col_resolved,
	escalated: m.ledger_col_escalated,
	satisfaction: m.ledger_col_satisfaction,
	reviewed: m.ledger_col_reviewed,
	conflict: m.ledger_col_conflict,
	timelineCount: m.ledger_col_timeline_count,
	timelineLast: m.ledger_col_timeline_last,
	timelineLastAt: m.ledger_col_timeline_last_at,
	photos: m.ledger_col_photos
};

/** "2026-03-05 14:30" in the community's zone: sortable, the same in every language. */
function fullTime(at: number, zone: string): string {
	const parts = new Intl.DateTimeFormat('en-CA', {
		timeZone: zone,
		year: 'numeric',
		month: '2-digit',
		day: '2-digit',
		hour: '2-digit',
		minute: '2-digit',
		hourCycle: 'h23'
	}).formatToParts(at);
	const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
	return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}`;
}

export function ledgerLabels(
	zone: string,
	gridName: (gridId: string) => string,
	categoryName: (id: string) => string
): LedgerLabels {
	const columns = Object.fromEntries(
		Object.entries(COLUMNS).map(([column, label]) => [column, label()])
	) as Record<LedgerColumn, string>;
	const shown = (field: string, value: unknown) =>
		caseValueText(field, value, { categoryName, zone, maxLength: 200 });
	const entry = (item: TimelineEntry): string =>
		timelineText(item, {
			shown,
			deadline: (at) => (at === null ? m.case_no_deadline() : fullTime(at, zone))
		});
	return {
		columns,
		grid: gridName,
		category: categoryName,
		channel: (id) => channelLabel(id),
		status: (id) => statusLabel(id as CaseStatus),
		tier: (id) => tierLabel(id),
		priority: (id) => priorityLabel(id),
		handling: (id) => handlingLabel(id),
		satisfaction: (id) => satisfactionLabel(id),
		time: (at) => fullTime(at, zone),
		entry,
		yes: m.ledger_yes(),
		no: m.ledger_no()
	};
}
