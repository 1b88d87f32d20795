/**
 * Service-hour records in the tasks document: appended by the commands that finish a piece of
 * work (confirmTask, finishPatrolRun, thankWish), read here.
 *
 * Invariant: `hours` is append-only; readers drop malformed records and de-duplicate per
 * (source, source id, volunteer), so a task confirmed twice concurrently credits once.
 */

import type * as Y from 'yjs';
import { newEditId, isValidIdSegment } from '../../domain/ids';
import {
	dedupeHours,
	HOUR_SOURCES,
	type HourRecord,
	type HourSource
} from '../../domain/service-hours';
import { hoursArray } from './schema';

/**
 * Patrol records written before the hours list showed each record's day titled themselves
 * "route 2026-12-09"; the ISO day is dropped when read, so the list reads like every date.
 */
const LEGACY_PATROL_DAY = / \d{4}-\d{2}-\d{2}$/;

function parseHourRecord(raw: unknown): HourRecord | null {
	if (typeof raw !== 'object' || raw === null) return null;
	const r = raw as Record<string, unknown>;
	if (!isValidIdSegment(r.id) || typeof r.memberId !== 'string' || typeof r.name !== 'string') {
		return null;
	}
	if (typeof r.hours !== 'number' || !Number.isFinite(r.hours) || r.hours <= 0) return null;
	if (!(HOUR_SOURCES as readonly unknown[]).includes(r.source)) return null;
	if (typeof r.sourceId !== 'string' || typeof r.title !== 'string') return null;
	if (typeof r.at !== 'number' || !Number.isFinite(r.at) || typeof r.by !== 'string') return null;
	return Object.freeze({
		id: r.id,
		memberId: r.memberId,
		name: r.name,
		hours: r.hours,
		source: r.source as HourSource,
		sourceId: r.sourceId,
		title: r.source === 'patrol' ? r.title.replace(LEGACY_PATROL_DAY, '') : r.title,
		at: r.at,
		by: r.by
	});
}

/** Every credited record, de-duplicated, oldest first. */
export function listHours(doc: Y.Doc): readonly HourRecord[] {
	const records: HourRecord[] = [];
	for (const raw of hoursArray(doc).toArray()) {
		const record = parseHourRecord(raw);
		if (record) records.push(record);
	}
	return dedupeHours(records);
}

export type Credit = Readonly<{ memberId: string; name: string }>;

/** Appends one record per volunteer; call inside the command's transaction. */
export function appendHours(
	doc: Y.Doc,
	credits: readonly Credit[],
	work: Readonly<{ source: HourSource; sourceId: string; title: string; hours: number }>,
	by: string,
	at: number
): void {
	if (credits.length === 0) return;
	hoursArray(doc).push(
		credits.map((credit) => ({
			id: newEditId(),
			memberId: credit.memberId,
			name: credit.name,
			hours: work.hours,
			source: work.source,
			sourceId: work.sourceId,
			title: work.title,
			at,
			by
		}))
	);
}
