/**
 * What the "as of" views read from a past document, and how it differs from now: a case (its
 * whole snapshot, through the live reader `readCase`) and a meeting's minutes (plain
 * paragraphs from the minutes' XML, so the editor is never loaded to look at the past).
 *
 * Invariant: pure functions of a document or of two snapshots; the same readers serve the
 * live and the past document.
 */
import type * as Y from 'yjs';
import { CASE_FIELDS, type CaseField } from '$lib/domain/case-input';
import type { CaseId } from '$lib/domain/ids';
import { readCase, type CaseSnapshot } from '$lib/model/case';
import { minutesPlainText, minutesToJson } from '$lib/model/meeting';

/** The case as it was; null when it did not exist yet. */
export function pastCaseReader(caseId: CaseId): (doc: Y.Doc) => CaseSnapshot | null {
	return (doc) => readCase(doc, caseId);
}

/** The fields whose value differs between the past and now, in the fields' order. */
export function changedCaseFields(
	past: CaseSnapshot | null,
	now: CaseSnapshot | null
): readonly CaseField[] {
	if (past === null || now === null) return [];
	return CASE_FIELDS.filter((field) => past.fields[field].value !== now.fields[field].value);
}

/** The minutes' blocks (paragraphs, headings, lists) as plain text, empty ones left out. */
export function readMinutesParagraphs(doc: Y.Doc): readonly string[] {
	const blocks = minutesToJson(doc).content ?? [];
	return Object.freeze(
		blocks.map((block) => minutesPlainText(block).replace(/\n+$/, '')).filter((text) => text !== '')
	);
}

/** Whether the minutes differ from the past ones (the hint "changed since"). */
export function minutesChanged(past: readonly string[], now: readonly string[]): boolean {
	return past.length !== now.length || past.some((text, i) => text !== now[i]);
}
