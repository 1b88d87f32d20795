/**
 * Case timeline: the plain entries a case's append-only history holds, and how to read them.
 *
 * Invariant: entries are never edited or removed once written; readers order them by
 * (at, id), so every replica shows the same history whatever order entries arrived in.
 * `parseTimelineEntry` accepts only well-formed entries (a newer app's unknown kinds are
 * skipped, not guessed at).
 */

import { isCaseCategory, type CaseCategory } from './case-category';
import { isCaseAction, isCaseStatus, type CaseAction, type CaseStatus } from './case-status';
import {
	isCaseField,
	isEditableCaseField,
	type CaseField,
	type EditableCaseField
} from './case-input';
import { isValidIdSegment, type EditId } from './ids';

export const TIMELINE_KINDS = ['created', 'edited', 'status', 'conflict_resolved'] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

type EntryBase = { id: EditId; at: number; by: string; deviceId: string };

export type TimelineEntry = Readonly<
	| (EntryBase & { kind: 'created'; title: string; category: CaseCategory; status: CaseStatus })
	| (EntryBase & { kind: 'edited'; field: EditableCaseField; from: string; to: string })
	| (EntryBase & { kind: 'status'; action: CaseAction; from: CaseStatus; to: CaseStatus })
	| (EntryBase & {
			kind: 'conflict_resolved';
			field: CaseField;
			to: string;
			discarded: readonly string[];
	  })
>;

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is readonly string[] {
	return Array.isArray(value) && value.every((item) => typeof item === 'string');
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
		case 'status': {
			const { action, from, to } = raw;
			if (!isCaseAction(action) || !isCaseStatus(from) || !isCaseStatus(to)) return null;
			return Object.freeze({ ...base, kind: 'status', action, from, to });
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
		default:
			return null;
	}
}
