/**
 * Receipts: "when it reached the server" for timeline entries (docs/ledger.md). The device that
 * wrote an entry stamps, once the relay's `[100]` confirmation covered all its pending changes,
 * `receipts[entryId] = confirmedAt` on the case. Only the writing device knows when its own
 * change was confirmed, so only it stamps, and only entries carrying its device id.
 *
 * Invariant: a receipt is written once per entry and never changed; an entry that already has
 * one is skipped. The stamp is an upper bound: the entry was on the relay's disk at the latest
 * by `confirmedAt`.
 */

import type * as Y from 'yjs';
import type { CaseId } from '../../domain/ids';
import { parseTimelineEntry } from '../../domain/case-timeline';
import { casesMap, parseCaseRecord, readReceipts, receiptsForWrite } from './schema';
import { ORIGIN_LOCAL_EDIT } from '../origins';

/**
 * Stamps `confirmedAt` on every timeline entry written from `deviceId` that has no receipt yet,
 * in the given cases (all cases when omitted). Writes nothing when there is nothing to stamp;
 * returns how many receipts it wrote. Call only once the relay confirmed every pending change
 * of this document from this device.
 */
export function recordServerReceipts(
	doc: Y.Doc,
	caseIds: readonly CaseId[] | undefined,
	confirmedAt: number,
	deviceId: string
): number {
	const cases = casesMap(doc);
	const keys = caseIds ?? [...cases.keys()];
	const work: { record: NonNullable<ReturnType<typeof parseCaseRecord>>; ids: string[] }[] = [];
	for (const key of keys) {
		const record = parseCaseRecord(key, cases.get(key));
		if (!record) continue;
		const have = readReceipts(record);
		const ids: string[] = [];
		for (const raw of record.timeline.toArray()) {
			const entry = parseTimelineEntry(raw);
			if (entry && entry.deviceId === deviceId && !have.has(entry.id)) ids.push(entry.id);
		}
		if (ids.length > 0) work.push({ record, ids });
	}
	if (work.length === 0) return 0;
	let count = 0;
	doc.transact(() => {
		for (const { record, ids } of work) {
			const receipts = receiptsForWrite(record);
			for (const id of new Set(ids)) {
				receipts.set(id, confirmedAt);
				count++;
			}
		}
	}, ORIGIN_LOCAL_EDIT);
	return count;
}
