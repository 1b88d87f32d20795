/**
 * Case timeline: the plain entries a case's append-only history holds, and how to read them.
 *
 *   created            { title, category, status }
 *   edited             { field (a form field), from, to }
 *   deadline           { from, to }                       epoch ms or null
 *   status             { action, from, to, satisfaction?, note?, duplicateOf? }
 *   tier               { action: escalate | hand_back, from, to, reason }
 *   assigned           { from: names[], to: names[] }
 *   comment            { text }
 *   photo_added        { hash }                           sha-256 hex (model/case/photos.ts)
 *   conflict_resolved  { field, to, discarded[] }         values as text
 *   deleted            { }                                the secretary's tombstone (case-deletion.ts)
 *   restored           { }                                the secretary brought it back
 *
 * every entry: { id, kind, at, by, deviceId }
 *
 * Invariant: entries are never edited or removed once written; readers order them by
 * (at, id), so every replica shows the same history whatever order entries arrived in.
 * `parseTimelineEntry` accepts only well-formed entries (a newer app's unknown kinds are
 * skipped, not guessed at).
 */
import { isCaseCategory, type CaseCategory } from './case-category';
import { isSatisfaction, isTier, type Satisfaction, type Tier } from './case-options';
import { isCaseAction, isCaseStatus, type CaseAction, type CaseStatus } from './case-status';
import { isTierAction, type TierAction } from './case-tier';
import {
	isCaseField,
	isEditableCaseField,
	isValidDeadline,
	type CaseField,
	type EditableCaseField
} from './case-input';
import { isValidIdSegment, type EditId } from './ids';

export const TIMELINE_KINDS = [
	'created',
	'edited',
	'deadline',
	'status',
	'tier',
	'assigned',
	'comment',
	'photo_added',
	'conflict_resolved',
	'deleted',
	'restored'
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

type EntryBase = { id: EditId; at: number; by: string; deviceId: string };
export type TimelineEntry = Readonly<
	| (EntryBase & { kind: 'created'; title: string; category: CaseCategory; status: CaseStatus })
	| (EntryBase & { kind: 'edited'; field: EditableCaseField; from: string; to: string })
	| (EntryBase & { kind: 'deadline'; from: number | null; to: number | null })
	| (EntryBase & {
			kind: 'status';
			action: CaseAction;
			from: CaseStatus;
			to: CaseStatus;
			/** The return visit (action `review`). */
			satisfaction?: Satisfaction;
			note?: string;
			/** The original (action `mark_duplicate`). */
			duplicateOf?: string;
	  })
	| (EntryBase & { kind: 'tier'; action: TierAction; from: Tier; to: Tier; reason: string })
	| (EntryBase & { kind: 'assigned'; from: readonly string[]; to: readonly string[] })
	| (EntryBase & { kind: 'comment'; text: string })
	| (EntryBase & { kind: 'photo_added'; hash: string })
	| (EntryBase & {
			kind: 'conflict_resolved';
			field: CaseField;
			to: string;
			discarded: readonly string[];
	  })
	| (EntryBase & { kind: 'deleted' | 'restored' })
>;

/** An entry as a command writes it: everything but the fields every entry has. */
export type TimelineEntryBody = TimelineEntry extends infer E
	? E extends TimelineEntry
		? Omit<E, keyof EntryBase>
		: never
	: never;

const SHA256_HEX = /^[0-9a-f]{64}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is readonly string[] {
	return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function parseStatusEntry(base: EntryBase, raw: Record<string, unknown>): TimelineEntry | null {
	const { action, from, to, satisfaction, note, duplicateOf } = raw;
	if (!isCaseAction(action) || !isCaseStatus(from) || !isCaseStatus(to)) return null;
	const entry: { -readonly [K in string]: unknown } = { ...base, kind: 'status', action, from, to };
	if (satisfaction !== undefined) {
		if (!isSatisfaction(satisfaction)) return null;
		entry.satisfaction = satisfaction;
	}
	if (note !== undefined) {
		if (typeof note !== 'string') return null;
		entry.note = note;
	}
	if (duplicateOf !== undefined) {
		if (!isValidIdSegment(duplicateOf)) return null;
		entry.duplicateOf = duplicateOf;
	}
	return Object.freeze(entry) as TimelineEntry;
}

/** A frozen copy of a stored entry, or null when it is malformed or of an unknown kind. */
export function parseTimelineEntry(raw: unknown): TimelineEntry | null {
	if (!isRecord(raw)) return null;
	const { id, at, by, deviceId } = raw;
	if (!isValidIdSegment(id) || typeof at !== 'number' || !Number.isFinite(at)) return null;
	if (typeof by !== 'string' || typeof deviceId !== 'string') return null;
	const base = { id: id as EditId, at, by, deviceId };
	switch (raw.kind) {
		case 'created': {
			const { title, category, status } = raw;
			if (typeof title !== 'string' || !isCaseCategory(category) || !isCaseStatus(status)) {
				return null;
			}
			return Object.freeze({ ...base, kind: 'created', title, category, status });
		}
		case 'edited': {
			const { field, from, to } = raw;
			if (!isEditableCaseField(field) || typeof from !== 'string' || typeof to !== 'string') {
				return null;
			}
			return Object.freeze({ ...base, kind: 'edited', field, from, to });
		}
		case 'deadline': {
			const { from, to } = raw;
			if (!isValidDeadline(from) || !isValidDeadline(to)) return null;
			return Object.freeze({ ...base, kind: 'deadline', from, to });
		}
		case 'status':
			return parseStatusEntry(base, raw);
		case 'tier': {
			const { action, from, to, reason } = raw;
			if (!isTierAction(action) || !isTier(from) || !isTier(to) || typeof reason !== 'string') {
				return null;
			}
			return Object.freeze({ ...base, kind: 'tier', action, from, to, reason });
		}
		case 'assigned': {
			const { from, to } = raw;
			if (!isStringArray(from) || !isStringArray(to)) return null;
			return Object.freeze({
				...base,
				kind: 'assigned',
				from: Object.freeze([...from]),
				to: Object.freeze([...to])
			});
		}
		case 'comment': {
			const { text } = raw;
			if (typeof text !== 'string') return null;
			return Object.freeze({ ...base, kind: 'comment', text });
		}
		case 'photo_added': {
			const { hash } = raw;
			if (typeof hash !== 'string' || !SHA256_HEX.test(hash)) return null;
			return Object.freeze({ ...base, kind: 'photo_added', hash });
		}
		case 'conflict_resolved': {
			const { field, to, discarded } = raw;
			if (!isCaseField(field) || typeof to !== 'string' || !isStringArray(discarded)) {
				return null;
			}
			return Object.freeze({
				...base,
				kind: 'conflict_resolved',
				field,
				to,
				discarded: Object.freeze([...discarded])
			});
		}
		case 'deleted':
		case 'restored':
			return Object.freeze({ ...base, kind: raw.kind });
		default:
			return null;
	}
}
