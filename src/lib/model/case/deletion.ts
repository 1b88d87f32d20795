/**
 * Deleting and restoring a case (the secretary's): a `deleted` timeline entry is the tombstone, a
 * later `restored` entry brings the case back (domain/case-deletion.ts holds the rule). The case
 * map, its field logs, photos and timeline are never removed, so an edit made on another phone
 * while the case was deleted is kept and shows once it is restored.
 *
 * Invariant: a refused command writes nothing; an accepted one appends exactly one timeline
 * entry, stamped no earlier than the entry it undoes (never hidden by a phone's slow clock).
 */
import type * as Y from 'yjs';
import { caseDeletion, latestDeletionEntries } from '../../domain/case-deletion';
import { mayOperate } from '../../domain/case-permissions';
import type { CaseId } from '../../domain/ids';
import { err, ok, type Result } from '../../domain/result';
import { commandTime } from '../command-context';
import { ORIGIN_LOCAL_EDIT } from '../origins';
import type { CaseCommandContext } from './commands';
import { readTimeline } from './readers';
import { findCase, recordTimelineEntry } from './schema';

export type DeleteCaseReason = 'case_not_found' | 'already_deleted' | 'not_permitted';
export type RestoreCaseReason = 'case_not_found' | 'not_deleted' | 'not_permitted';

/** Deletes a case: it leaves the boards, the map and the summaries; nothing of it is removed. */
export function deleteCase(
	doc: Y.Doc,
	caseId: CaseId,
	context: CaseCommandContext
): Result<CaseId, DeleteCaseReason> {
	const { authority, actor } = context;
	if (!mayOperate(authority.claims, authority.gridId, 'delete')) return err('not_permitted');
	const record = findCase(doc, caseId);
	if (!record) return err('case_not_found');
	const timeline = readTimeline(record);
	if (caseDeletion(timeline) !== null) return err('already_deleted');
	const { restored } = latestDeletionEntries(timeline);
	// Later than the last restore, so the delete is in force whatever this phone's clock says.
	const at = Math.max(commandTime(context), restored ? restored.at + 1 : 0);
	doc.transact(() => {
		recordTimelineEntry(record, actor, at, { kind: 'deleted' });
	}, ORIGIN_LOCAL_EDIT);
	return ok(caseId);
}

/** Brings a deleted case back as it is now: every edit made while it was deleted included. */
export function restoreCase(
	doc: Y.Doc,
	caseId: CaseId,
	context: CaseCommandContext
): Result<CaseId, RestoreCaseReason> {
	const { authority, actor } = context;
	if (!mayOperate(authority.claims, authority.gridId, 'delete')) return err('not_permitted');
	const record = findCase(doc, caseId);
	if (!record) return err('case_not_found');
	const deletion = caseDeletion(readTimeline(record));
	if (deletion === null) return err('not_deleted');
	const at = Math.max(commandTime(context), deletion.at);
	doc.transact(() => {
		recordTimelineEntry(record, actor, at, { kind: 'restored' });
	}, ORIGIN_LOCAL_EDIT);
	return ok(caseId);
}
