/**
 * Ledger export: the cases a board shows AS FILTERED (a grid's board or the community board; the
 * caller passes the rows in the board's order, domain/board-query.ts `applyBoardQuery`), each read
 * in full from its board's document, as one table: every field of the case (the current value;
 * a field in conflict flagged), its collection, resolution, escalation and return visit, a
 * timeline summary (how many entries, the last one and when) and links to its photos on the
 * relay (`/api/communities/{cid}/blobs/{hash}`). Written by spreadsheets/write.ts (`tableCsv`,
 * `tablesXlsx`).
 *
 * Invariants: one row per case asked for, in the order asked (a case no longer in its document
 * is left out, never invented); reads only; every label and every formatted value comes from the
 * caller (`LedgerLabels`), so the file speaks the reader's language and zone.
 */
import type * as Y from 'yjs';
import type { CaseId } from '$lib/domain/ids';
import type { TimelineEntry } from '$lib/domain/case-timeline';
import { listCases, readCase, readCasePhotos } from '$lib/model/case';

export type LedgerRow = Readonly<{
	id: string;
	gridId: string;
	title: string;
	description: string;
	category: string;
	channel: string;
	location: string;
	mapPoint: string;
	reporterName: string;
	residentContact: string;
	status: string;
	tier: string;
	priority: string;
	handlingType: string;
	assignees: readonly string[];
	deadline: number | null;
	duplicateOf: string;
	createdAt: number;
	createdBy: string;
	resolvedAt: number | null;
	escalated: boolean;
	satisfaction: string | null;
	reviewedAt: number | null;
	hasConflict: boolean;
	timelineCount: number;
	lastEntry: TimelineEntry | null;
	photos: readonly string[];
}>;

/** The cases `wanted` (grid, id) from their boards' documents, in that order. */
export function ledgerRows(
	wanted: readonly Readonly<{ gridId: string; id: string }>[],
	docOf: (gridId: string) => Y.Doc | null,
	photoUrl: (hash: string) => string
): LedgerRow[] {
	const summaries = new Map<Y.Doc, Map<string, ReturnType<typeof listCases>[number]>>();
	const rows: LedgerRow[] = [];
	for (const { gridId, id } of wanted) {
		const doc = docOf(gridId);
		if (!doc) continue;
		const item = readCase(doc, id as CaseId);
		if (!item) continue;
		let byId = summaries.get(doc);
		if (!byId) summaries.set(doc, (byId = new Map(listCases(doc).map((c) => [c.id, c]))));
		const summary = byId.get(id);
		const f = item.fields;
		rows.push({
			id,
			gridId,
			title: f.title.value,
			description: f.description.value,
			category: f.category.value,
			channel: f.channel.value,
			location: f.location.value,
			mapPoint: f.mapPoint.value,
			reporterName: f.reporterName.value,
			residentContact: f.residentContact.value,
			status: f.status.value,
			tier: f.tier.value,
			priority: f.priority.value,
			handlingType: f.handlingType.value,
			assignees: summary?.assignees ?? [],
			deadline: f.deadline.value,
			duplicateOf: f.duplicateOf.value,
			createdAt: item.createdAt,
			createdBy: item.createdBy,
			resolvedAt: summary?.resolvedAt ?? null,
			escalated: summary?.escalated ?? false,
			satisfaction: item.lastReview?.satisfaction ?? null,
			reviewedAt: item.lastReview?.at ?? null,
			hasConflict: item.hasConflict,
			timelineCount: item.timeline.length,
			lastEntry: item.timeline.at(-1) ?? null,
			photos: readCasePhotos(doc, id as CaseId).map((photo) => photoUrl(photo.hash))
		});
	}
	return rows;
}

export type LedgerLabels = Readonly<{
	columns: Readonly<Record<LedgerColumn, string>>;
	grid: (gridId: string) => string;
	category: (id: string) => string;
	channel: (id: string) => string;
	status: (id: string) => string;
	tier: (id: string) => string;
	priority: (id: string) => string;
	handling: (id: string) => string;
	satisfaction: (id: string) => string;
	time: (at: number) => string;
	entry: (entry: TimelineEntry) => string;
	yes: string;
	no: string;
}>;

export const LEDGER_COLUMNS = [
	'id',
	'grid',
	'title',
	'description',
	'category',
	'channel',
	'location',
	'mapPoint',
	'reporter',
	'residentContact',
	'status',
	'tier',
	'priority',
	'handling',
	'assignees',
	'deadline',
	'duplicateOf',
	'created',
	'createdBy',
	'resolved',
	'escalated',
	'satisfaction',
	'reviewed',
	'conflict',
	'timelineCount',
	'timelineLast',
	'timelineLastAt',
	'photos'
] as const;
export type LedgerColumn = (typeof LEDGER_COLUMNS)[number];

/** The header row and one row per case, every cell text (an id or a phone stays as written). */
export function ledgerTable(rows: readonly LedgerRow[], labels: LedgerLabels): string[][] {
	const time = (at: number | null) => (at === null ? '' : labels.time(at));
	const yesNo = (value: boolean) => (value ? labels.yes : labels.no);
	const cells = (row: LedgerRow): Record<LedgerColumn, string> => ({
		id: row.id,
		grid: labels.grid(row.gridId),
		title: row.title,
		description: row.description,
		category: labels.category(row.category),
		channel: row.channel ? labels.channel(row.channel) : '',
		location: row.location,
		mapPoint: row.mapPoint,
		reporter: row.reporterName,
		residentContact: row.residentContact,
		status: labels.status(row.status),
		tier: labels.tier(row.tier),
		priority: labels.priority(row.priority),
		handling: labels.handling(row.handlingType),
		assignees: row.assignees.join('、'),
		deadline: time(row.deadline),
		duplicateOf: row.duplicateOf,
		created: time(row.createdAt),
		createdBy: row.createdBy,
		resolved: time(row.resolvedAt),
		escalated: yesNo(row.escalated),
		satisfaction: row.satisfaction ? labels.satisfaction(row.satisfaction) : '',
		reviewed: time(row.reviewedAt),
		conflict: yesNo(row.hasConflict),
		timelineCount: String(row.timelineCount),
		timelineLast: row.lastEntry ? labels.entry(row.lastEntry) : '',
		timelineLastAt: row.lastEntry ? time(row.lastEntry.at) : '',
		photos: row.photos.join('\n')
	});
	return [
		LEDGER_COLUMNS.map((column) => labels.columns[column]),
		...rows.map((row) => {
			const all = cells(row);
			return LEDGER_COLUMNS.map((column) => all[column]);
		})
	];
}
