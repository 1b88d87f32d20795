/**
 * Case readers: turn a board Y.Doc into frozen plain snapshots for the UI.
 *
 * Invariant: pure functions of the document state; replicas holding the same updates return
 * deeply equal snapshots (every order is a total order on data, never on arrival). Snapshots
 * are frozen, so a component cannot edit Yjs data except through a command.
 */

import * as Y from 'yjs';
import { authorshipByEntryId, type AuthorshipById } from '../attestation';
import { logSlotsByKey } from '../slots';
import type { CaseCategory } from '../../domain/case-category';
import { CASE_FIELDS, splitAssignees } from '../../domain/case-input';
import type {
	CaseChannel,
	HandlingType,
	Priority,
	Satisfaction,
	Tier
} from '../../domain/case-options';
import { caseDeletion, type CaseDeletion } from '../../domain/case-deletion';
import { CASE_STATUSES, type CaseStatus } from '../../domain/case-status';
import { parseTimelineEntry, type TimelineEntry } from '../../domain/case-timeline';
import type { CaseId } from '../../domain/ids';
import { compareByAtThenId } from '../../domain/ordering';
import {
	casesMap,
	findCase,
	parseCaseRecord,
	readCaseField,
	readCaseFieldStates,
	readReceipts,
	type CaseFieldStates,
	type CaseRecord
} from './schema';
import { storedPhotoRefs } from './photos';

export type { CaseFieldStates };

export type CaseSnapshot = Readonly<{
	id: CaseId;
	createdAt: number;
	createdBy: string;
	createdByDevice: string;
	/** The time of the latest timeline entry. */
	updatedAt: number;
	fields: CaseFieldStates;
	hasConflict: boolean;
	/** Oldest first, by (at, id). */
	timeline: readonly TimelineEntry[];
	/** Timeline entry id → when the relay confirmed it had stored the entry (epoch ms). */
	receipts: Readonly<Record<string, number>>;
	/**
	 * Entry id → the member the relay attested as its sender (model/attestation.ts): every
	 * timeline entry, and the edits of fields in conflict. Read for one case, never for lists.
	 */
	authorship: AuthorshipById;
	/** When the current tier took the case: its last tier entry, else the creation. */
	tierSince: number;
	/** The latest return visit, if any. */
	lastReview: ReturnVisit | null;
	/** Who deleted the case and when, while it is deleted (domain/case-deletion.ts); else null. */
	deletion: CaseDeletion | null;
}>;

export type ReturnVisit = Readonly<{
	satisfaction: Satisfaction;
	note: string;
	by: string;
	at: number;
}>;

export type CaseSummary = Readonly<{
	id: CaseId;
	title: string;
	category: CaseCategory;
	channel: CaseChannel | '';
	location: string;
	status: CaseStatus;
	tier: Tier;
	tierSince: number;
	priority: Priority;
	handlingType: HandlingType;
	assignees: readonly string[];
	/** Explicit deadline (epoch ms) or null for the tier's default (case-deadline.ts). */
	deadline: number | null;
	duplicateOf: string;
	createdAt: number;
	createdBy: string;
	updatedAt: number;
	hasConflict: boolean;
	photoCount: number;
	/** The first photo's sha-256 hash, or null. */
	firstPhoto: string | null;
	/** When it last became resolved, while it stays resolved, reviewed or closed; else null. */
	resolvedAt: number | null;
	/** Someone escalated it at least once (a tier entry `escalate`). */
	escalated: boolean;
	/** The latest return visit's satisfaction and time, or null. */
	satisfaction: Satisfaction | null;
	reviewedAt: number | null;
}>;

const DONE_STATUSES: readonly CaseStatus[] = ['resolved', 'reviewed', 'closed'];

/** When the case last moved to resolved, if it is resolved or further on (else null). */
function readResolvedAt(status: CaseStatus, timeline: readonly TimelineEntry[]): number | null {
	if (!DONE_STATUSES.includes(status)) return null;
	for (let i = timeline.length - 1; i >= 0; i--) {
		const entry = timeline[i];
		if (entry?.kind === 'status' && entry.to === 'resolved') return entry.at;
	}
	// Reviewed or closed without a resolve entry in this replica: its latest status change.
	for (let i = timeline.length - 1; i >= 0; i--) {
		const entry = timeline[i];
		if (entry?.kind === 'status') return entry.at;
	}
	return null;
}

/** The case's entries, each once, oldest first by (at, id). */
export function readTimeline(record: CaseRecord): readonly TimelineEntry[] {
	const entries: TimelineEntry[] = [];
	const seen = new Set<string>();
	for (const raw of record.timeline.toArray()) {
		const entry = parseTimelineEntry(raw);
		if (!entry || seen.has(entry.id)) continue;
		seen.add(entry.id);
		entries.push(entry);
	}
	return Object.freeze(entries.sort(compareByAtThenId));
}

type CaseCore = Readonly<{
	createdAt: number;
	createdBy: string;
	createdByDevice: string;
	fields: CaseFieldStates;
	timeline: readonly TimelineEntry[];
	updatedAt: number;
	hasConflict: boolean;
	tierSince: number;
}>;

/** When the shown tier took the case: the latest tier entry that moved it there. */
function readTierSince(createdAt: number, tier: Tier, timeline: readonly TimelineEntry[]): number {
	for (let i = timeline.length - 1; i >= 0; i--) {
		const entry = timeline[i];
		if (entry?.kind === 'tier' && entry.to === tier) return entry.at;
	}
	return createdAt;
}

function readLastReview(timeline: readonly TimelineEntry[]): ReturnVisit | null {
	for (let i = timeline.length - 1; i >= 0; i--) {
		const entry = timeline[i];
		if (entry?.kind === 'status' && entry.satisfaction !== undefined) {
			return Object.freeze({
				satisfaction: entry.satisfaction,
				note: entry.note ?? '',
				by: entry.by,
				at: entry.at
			});
		}
	}
	return null;
}

/** Photo hashes of a case, first attached first: the `photos` slots and `photo_added` entries. */
function readPhotoHashes(record: CaseRecord, timeline: readonly TimelineEntry[]): string[] {
	const hashes = new Set<string>();
	for (const entry of timeline) if (entry.kind === 'photo_added') hashes.add(entry.hash);
	for (const raw of storedPhotoRefs(record.map)) {
		const hash = (raw as { hash?: unknown } | null)?.hash;
		if (typeof hash === 'string' && /^[0-9a-f]{64}$/.test(hash)) hashes.add(hash);
	}
	return [...hashes];
}

function readCore(record: CaseRecord): CaseCore | null {
	// Cases from before `initial` keep these on the case map.
	const { initial, map } = record;
	const createdAt = initial ? initial.at : map.get('createdAt');
	if (typeof createdAt !== 'number' || !Number.isFinite(createdAt)) return null;
	const createdBy = initial ? initial.by : map.get('createdBy');
	const createdByDevice = initial ? initial.deviceId : map.get('createdByDevice');
	const fields = readCaseFieldStates(record);
	const timeline = readTimeline(record);
	const last = timeline[timeline.length - 1];
	return {
		createdAt,
		createdBy: typeof createdBy === 'string' ? createdBy : '',
		createdByDevice: typeof createdByDevice === 'string' ? createdByDevice : '',
		fields,
		timeline,
		updatedAt: Math.max(createdAt, last?.at ?? createdAt),
		hasConflict: CASE_FIELDS.some((field) => fields[field].conflict !== null),
		tierSince: readTierSince(createdAt, fields.tier.value, timeline)
	};
}

/** Who sent each timeline entry, and each edit of the fields in conflict (candidates shown). */
function readAuthorship(doc: Y.Doc, record: CaseRecord, fields: CaseFieldStates): AuthorshipById {
	const arrays = [record.timeline];
	const conflicted = CASE_FIELDS.filter((field) => fields[field].conflict !== null);
	if (conflicted.length > 0) {
		const logs = logSlotsByKey(record.fields);
		for (const field of conflicted) arrays.push(...(logs.get(field) ?? []));
	}
	return Object.freeze(authorshipByEntryId(doc, arrays));
}

export function readCase(doc: Y.Doc, caseId: CaseId): CaseSnapshot | null {
	const record = findCase(doc, caseId);
	const core = record && readCore(record);
	if (!record || !core) return null;
	return Object.freeze({
		id: record.id,
		...core,
		receipts: Object.freeze(Object.fromEntries(readReceipts(record))),
		authorship: readAuthorship(doc, record, core.fields),
		lastReview: readLastReview(core.timeline),
		deletion: caseDeletion(core.timeline)
	});
}

/** A case of the board as the lists read it, with its tombstone while deleted. */
type MemoEntry = Readonly<{ summary: CaseSummary; deletion: CaseDeletion | null }>;

function readMemoEntry(key: string, value: unknown): MemoEntry | null {
	const record = parseCaseRecord(key, value);
	const core = record && readCore(record);
	if (!record || !core) return null;
	return { summary: readSummary(record, core), deletion: caseDeletion(core.timeline) };
}

function readSummary(record: CaseRecord, core: CaseCore): CaseSummary {
	const { fields } = core;
	const photos = readPhotoHashes(record, core.timeline);
	const review = readLastReview(core.timeline);
	return Object.freeze({
		id: record.id,
		title: fields.title.value,
		category: fields.category.value,
		channel: fields.channel.value,
		location: fields.location.value,
		status: fields.status.value,
		tier: fields.tier.value,
		tierSince: core.tierSince,
		priority: fields.priority.value,
		handlingType: fields.handlingType.value,
		assignees: splitAssignees(fields.assignees.value),
		deadline: fields.deadline.value,
		duplicateOf: fields.duplicateOf.value,
		createdAt: core.createdAt,
		createdBy: core.createdBy,
		updatedAt: core.updatedAt,
		hasConflict: core.hasConflict,
		photoCount: photos.length,
		firstPhoto: photos[0] ?? null,
		resolvedAt: readResolvedAt(fields.status.value, core.timeline),
		escalated: core.timeline.some((entry) => entry.kind === 'tier' && entry.action === 'escalate'),
		satisfaction: review?.satisfaction ?? null,
		reviewedAt: review?.at ?? null
	});
}

/**
 * Per-document memo of case summaries. A board holds thousands of cases and every remote edit
 * re-renders it, so a change re-reads only the cases it touched: `observeDeep` on the cases map
 * marks them stale. Snapshots stay frozen values; the memo only avoids recomputing them.
 */
type SummaryMemo = { summaries: Map<string, MemoEntry | null>; stale: Set<string> | 'all' };
const memos = new WeakMap<Y.Doc, SummaryMemo>();

function summaryMemo(doc: Y.Doc): SummaryMemo {
	let memo = memos.get(doc);
	if (memo) return memo;
	const created: SummaryMemo = { summaries: new Map(), stale: 'all' };
	const cases = casesMap(doc);
	cases.observeDeep((events) => {
		if (created.stale === 'all') return;
		for (const event of events) {
			if (event.target === cases) {
				for (const key of event.changes.keys.keys()) created.stale.add(key);
			} else {
				const key = event.path[0];
				if (typeof key === 'string') created.stale.add(key);
				else created.stale = 'all';
			}
			if (created.stale === 'all') return;
		}
	});
	memos.set(doc, created);
	memo = created;
	return memo;
}

/** Every case's memo entry, re-read where stale. */
function memoEntries(doc: Y.Doc): Iterable<MemoEntry | null> {
	const memo = summaryMemo(doc);
	const cases = casesMap(doc);
	if (memo.stale === 'all') {
		memo.summaries.clear();
		for (const [key, value] of cases.entries()) memo.summaries.set(key, readMemoEntry(key, value));
	} else {
		for (const key of memo.stale) {
			const value = cases.get(key);
			if (value === undefined) memo.summaries.delete(key);
			else memo.summaries.set(key, readMemoEntry(key, value));
		}
	}
	memo.stale = new Set();
	return memo.summaries.values();
}

const newestFirst = (a: CaseSummary, b: CaseSummary) =>
	compareByAtThenId({ at: b.createdAt, id: b.id }, { at: a.createdAt, id: a.id });

/**
 * Every case that is not deleted, newest first (createdAt descending, then id descending): what
 * boards, the map, work lists and summaries show (a deleted case is in none of them).
 */
export function listCases(doc: Y.Doc): readonly CaseSummary[] {
	const summaries: CaseSummary[] = [];
	for (const entry of memoEntries(doc)) {
		if (entry && entry.deletion === null) summaries.push(entry.summary);
	}
	return Object.freeze(summaries.sort(newestFirst));
}

/** A deleted case for the secretary's "recently deleted" list. */
export type DeletedCase = Readonly<{ summary: CaseSummary; deletion: CaseDeletion }>;

/** The deleted cases of the board, most recently deleted first. */
export function listDeletedCases(doc: Y.Doc): readonly DeletedCase[] {
	const deleted: DeletedCase[] = [];
	for (const entry of memoEntries(doc)) {
		if (entry?.deletion) deleted.push({ summary: entry.summary, deletion: entry.deletion });
	}
	return Object.freeze(
		deleted.sort((a, b) => b.deletion.at - a.deletion.at || newestFirst(a.summary, b.summary))
	);
}

/** A count for every status, zeros included. */
export function countCasesByStatus(
	cases: readonly CaseSummary[]
): Readonly<Record<CaseStatus, number>> {
	const counts = Object.fromEntries(CASE_STATUSES.map((status) => [status, 0])) as Record<
		CaseStatus,
		number
	>;
	for (const item of cases) counts[item.status] += 1;
	return Object.freeze(counts);
}

export function filterCasesByStatus(
	cases: readonly CaseSummary[],
	status: CaseStatus | readonly CaseStatus[]
): readonly CaseSummary[] {
	const wanted: readonly CaseStatus[] = typeof status === 'string' ? [status] : status;
	return Object.freeze(cases.filter((item) => wanted.includes(item.status)));
}

/**
 * Case descriptions by id, for board search. `CaseSummary` leaves descriptions out (they can be
 * long and most board renders never need them), so a board reads them only while a search is
 * typed, through its own snapshot (re-read once per change, and only when asked).
 */
export function readCaseDescriptions(doc: Y.Doc): ReadonlyMap<string, string> {
	const descriptions = new Map<string, string>();
	for (const [key, value] of casesMap(doc).entries()) {
		const record = parseCaseRecord(key, value);
		if (record) descriptions.set(key, readCaseField(record, 'description').value);
	}
	return descriptions;
}
