/**
 * Tasks document schema (`c/{communityId}/tasks`): volunteer tasks, patrol routes and runs,
 * micro-wishes and service-hour records, in one Y.Doc (one access cell: volunteers write it).
 *
 *   doc.getMap('tasks'):        taskId  → Y.Map { id, createdAt, ...write-once props, history }
 *   doc.getMap('patrolRoutes'): routeId → Y.Map { same shape }
 *   doc.getMap('patrolRuns'):   runId   → Y.Map { same shape }
 *   doc.getMap('wishes'):       wishId  → Y.Map { same shape }
 *   doc.getArray('hours'):      HourRecord (append-only plain objects)
 *
 *   history: Y.Array of plain entries { id, kind, at, by, memberId, deviceId, ...details }
 *
 * Every change after creation is a history entry: claims, releases, completions,
 * confirmations, ticks, findings, tombstones (`deleted`). Nothing is set twice or removed, so
 * concurrent writers can only add, and a reader folds the same entries into the same snapshot
 * on every replica (entries sorted by (at, id), duplicates by id dropped).
 *
 * Invariant: a record's Y.Map and its history are created together in one transaction and never
 * replaced; a record missing either is treated as absent.
 */

import * as Y from 'yjs';
import { newEditId, isValidIdSegment } from '../../domain/ids';
import { compareByAtThenId } from '../../domain/ordering';
import type { Claim } from '../../domain/task-rules';
import type { CommandContext } from '../command-context';
import { parsePhotoRef, type PhotoInput } from '../case/photos';

export type HistoryEntry = Readonly<{
	id: string;
	kind: string;
	at: number;
	by: string;
	memberId: string;
	deviceId: string;
	[detail: string]: unknown;
}>;

export type WorkRecord = Readonly<{ id: string; map: Y.Map<unknown>; history: Y.Array<unknown> }>;

export const tasksMap = (doc: Y.Doc) => doc.getMap<unknown>('tasks');
export const patrolRoutesMap = (doc: Y.Doc) => doc.getMap<unknown>('patrolRoutes');
export const patrolRunsMap = (doc: Y.Doc) => doc.getMap<unknown>('patrolRuns');
export const wishesMap = (doc: Y.Doc) => doc.getMap<unknown>('wishes');
export const hoursArray = (doc: Y.Doc) => doc.getArray<unknown>('hours');

export function parseWorkRecord(key: string, value: unknown): WorkRecord | null {
	if (!isValidIdSegment(key) || !(value instanceof Y.Map)) return null;
	const history = value.get('history');
	if (!(history instanceof Y.Array)) return null;
	return { id: key, map: value, history };
}

export function findWorkRecord(map: Y.Map<unknown>, id: string): WorkRecord | null {
	return parseWorkRecord(id, map.get(id));
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseHistoryEntry(raw: unknown): HistoryEntry | null {
	if (!isRecord(raw)) return null;
	const { id, kind, at, by, memberId, deviceId } = raw;
	if (!isValidIdSegment(id) || typeof kind !== 'string') return null;
	if (typeof at !== 'number' || !Number.isFinite(at)) return null;
	if (typeof by !== 'string' || typeof memberId !== 'string' || typeof deviceId !== 'string') {
		return null;
	}
	return Object.freeze({ ...raw, id, kind, at, by, memberId, deviceId });
}

/** Oldest first by (at, id); an entry delivered twice counts once. */
export function readHistory(record: WorkRecord): readonly HistoryEntry[] {
	const seen = new Set<string>();
	const entries: HistoryEntry[] = [];
	for (const raw of record.history.toArray()) {
		const entry = parseHistoryEntry(raw);
		if (!entry || seen.has(entry.id)) continue;
		seen.add(entry.id);
		entries.push(entry);
	}
	return Object.freeze(entries.sort(compareByAtThenId));
}

/** The claims in a history and the ids of those released (unclaimed or settled by staff). */
export function claimsIn(history: readonly HistoryEntry[]): {
	claims: Claim[];
	released: Set<string>;
} {
	const claims: Claim[] = [];
	const released = new Set<string>();
	for (const entry of history) {
		if (entry.kind === 'claim' && typeof entry.clientId === 'number') {
			claims.push({
				id: entry.id,
				memberId: entry.memberId,
				name: entry.by,
				deviceId: entry.deviceId,
				at: entry.at,
				clientId: entry.clientId
			});
		} else if (entry.kind === 'release' && typeof entry.claimId === 'string') {
			released.add(entry.claimId);
		}
	}
	return { claims, released };
}

/** An entry written by the context's member on the context's device. */
export function newHistoryEntry(
	context: CommandContext,
	kind: string,
	at: number,
	details: Readonly<Record<string, unknown>> = {}
): HistoryEntry {
	return {
		...details,
		id: newEditId(),
		kind,
		at,
		by: context.actor.name,
		memberId: context.authority.memberId,
		deviceId: context.actor.deviceId
	};
}

/** Creates a record with its write-once props and first history entry; call inside a transaction. */
export function insertWorkRecord(
	parent: Y.Map<unknown>,
	id: string,
	props: Readonly<Record<string, unknown>>,
	first: HistoryEntry
): void {
	const map = new Y.Map<unknown>();
	parent.set(id, map);
	map.set('id', id);
	for (const [key, value] of Object.entries(props)) map.set(key, value);
	const history = new Y.Array<unknown>();
	map.set('history', history);
	history.push([{ ...first }]);
}

export function appendHistory(record: WorkRecord, entry: HistoryEntry): void {
	record.history.push([{ ...entry }]);
}

export function readString(map: Y.Map<unknown>, key: string, fallback = ''): string {
	const value = map.get(key);
	return typeof value === 'string' ? value : fallback;
}

export function readNumber(map: Y.Map<unknown>, key: string, fallback: number): number {
	const value = map.get(key);
	return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

export function firstOf(history: readonly HistoryEntry[], kind: string): HistoryEntry | null {
	return history.find((entry) => entry.kind === kind) ?? null;
}

export const noteOf = (entry: HistoryEntry | null): string =>
	typeof entry?.note === 'string' ? entry.note : '';

/** Photos attached to a piece of work (a completion, a finding, a fulfilment), as stored refs. */
export function photosIn(entry: HistoryEntry | null): readonly PhotoInput[] {
	const raw = entry?.photos;
	if (!Array.isArray(raw)) return Object.freeze([]);
	const photos: PhotoInput[] = [];
	for (const item of raw) {
		const ref = parsePhotoRef({ ...(item as object), addedBy: '', deviceId: '', at: 0 });
		if (ref && !photos.some((photo) => photo.hash === ref.hash)) {
			const { hash, mime, width, height, bytes } = ref;
			photos.push(Object.freeze({ hash, mime, width, height, bytes }));
		}
	}
	return Object.freeze(photos);
}

/** Plain copies of well-formed photos to store, or null when one is malformed. */
export function photoData(photos: readonly PhotoInput[]): PhotoInput[] | null {
	const out: PhotoInput[] = [];
	for (const photo of photos) {
		const ref = parsePhotoRef({ ...photo, addedBy: '', deviceId: '', at: 0 });
		if (!ref) return null;
		const { hash, mime, width, height, bytes } = ref;
		out.push({ hash, mime, width, height, bytes });
	}
	return out;
}
