/**
 * An update the relay refused under the write rules (message 102, src/lib/wire/write-rules.ts),
 * as people read it: which document, why (each `WriteRefusal` reason) and what it touched (the
 * refusal's path, e.g. `cases/<id>/fields/status~<client>/[]` → "a case's status").
 *
 * Invariants: `refusedPart` is pure and reads only the path's segments; every reason and every
 * part has a text in both languages (the maps are keyed by their full unions); an unknown path
 * reads as "a part of this document", never as the raw path.
 */
import { m } from '$lib/paraglide/messages.js';
import type { RefusalReason, UpdateRefusal } from '$lib/sync/relay-link';
import type { DocRefusal } from '$lib/sync/sync-summary';
import { parseDocName } from '$lib/wire';
import { caseFieldLabel } from './case-labels';

/** What a refused update touched, from its path. */
export type RefusedPart =
	| Readonly<{ part: 'case_field'; field: string }>
	| Readonly<{
			part:
				| 'case'
				| 'case_report'
				| 'case_history'
				| 'case_photo'
				| 'case_receipt'
				| 'authorship'
				| 'depends'
				| 'other';
	  }>;

/** A Yjs id (`<client>:<clock>`): the relay lacks what the update builds on. */
const YJS_ID = /^\d+:\d+$/;

/** A map key without its writer's slot (`status~123` → `status`). */
const slotless = (key: string) => key.replace(/~\d+$/, '');

export function refusedPart(path: string): RefusedPart {
	if (YJS_ID.test(path)) return { part: 'depends' };
	const [root, id, key, field] = path.split('/');
	if (root === 'attest') return { part: 'authorship' };
	if (root !== 'cases' || !id) return { part: 'other' };
	if (key === undefined) return { part: 'case' };
	switch (slotless(key)) {
		case 'initial':
			return { part: 'case_report' };
		case 'timeline':
			return { part: 'case_history' };
		case 'photos':
			return { part: 'case_photo' };
		case 'receipts':
			return { part: 'case_receipt' };
		case 'fields':
			return field ? { part: 'case_field', field: slotless(field) } : { part: 'case' };
		default:
			return { part: 'case' };
	}
}

/**
 * The refusal worth telling: the first one that is not just "builds on what was refused" (which
 * every later change of the device is, once one was refused), else the first.
 */
export function refusalCause(refused: UpdateRefusal): { reason: RefusalReason; path: string } {
	if (refused.firstReason !== 'missing_dependency' || refused.lastReason === 'missing_dependency') {
		return { reason: refused.firstReason, path: refused.firstPath };
	}
	return { reason: refused.lastReason, path: refused.lastPath };
}

const REASON_TEXTS: Record<RefusalReason, () => string> = {
	not_permitted: m.refused_reason_not_permitted,
	history: m.refused_reason_history,
	author: m.refused_reason_author,
	shape: m.refused_reason_shape,
	foreign_client: m.refused_reason_foreign_client,
	missing_dependency: m.refused_reason_missing_dependency,
	unknown: m.refused_reason_unknown
};

type OtherPart = Exclude<RefusedPart['part'], 'case_field'>;
const PART_TEXTS: Record<OtherPart, () => string> = {
	case: m.refused_part_case,
	case_report: m.refused_part_case_report,
	case_history: m.refused_part_case_history,
	case_photo: m.refused_part_case_photo,
	case_receipt: m.refused_part_case_receipt,
	authorship: m.refused_part_authorship,
	depends: m.refused_part_depends,
	other: m.refused_part_other
};

export const refusalReasonText = (reason: RefusalReason): string => REASON_TEXTS[reason]();

export function refusedPartText(part: RefusedPart): string {
	return part.part === 'case_field'
		? m.refused_part_case_field({ field: caseFieldLabel(part.field) })
		: PART_TEXTS[part.part]();
}

/** The document a refusal is about, as in "your changes to <this grid's board>". */
export function refusedDocText(docName: string): string {
	const parsed = parseDocName(docName);
	if (!parsed.ok) return m.refused_doc_other();
	const { kind, id } = parsed.value;
	switch (kind) {
		case 'board':
			return m.refused_doc_board();
		case 'households':
			return m.refused_doc_households();
		case 'tasks':
			return m.refused_doc_tasks();
		case 'directory':
			return m.refused_doc_directory();
		case 'meetings':
			return id === 'index' ? m.refused_doc_meeting_index() : m.refused_doc_meeting();
		case 'map':
			return m.refused_doc_map();
	}
}

/** "The server refused 2 of your changes to this grid's board: <why> (<what>)". */
export function refusalNotice(refusal: DocRefusal): string {
	const cause = refusalCause(refusal.refused);
	return m.refused_notice({
		count: refusal.unconfirmed,
		doc: refusedDocText(refusal.docName),
		reason: refusalReasonText(cause.reason),
		what: refusedPartText(refusedPart(cause.path))
	});
}
