/**
 * Follow-ups: an action from a meeting becomes a case on a grid's board in one step, linked both
 * ways (channel `meeting`, the deadline chosen). The case carries `source: { kind: 'meeting', meetingId, itemId }` (a plain value beside
 * its fields, written in the same transaction as `createCase`); the meeting's action carries a
 * follow-up link `{ kind: 'case', gridId, targetId, owner, deadline, tier }`.
 *
 * Invariant: the case is created before the link is written, so a link never names a case that
 * was not created; the meeting reads the case's live status from the board document.
 */

import type * as Y from 'yjs';
import type { Actor } from '../domain/actor';
import type { NewCaseInput } from '../domain/case-input';
import type { CaseId } from '../domain/ids';
import type { MeetingId, MeetingItemId } from '../domain/meeting-rules';
import { err, ok, type Result } from '../domain/result';
import { createCase, type CreateCaseReason } from './case-commands';
import { casesMap } from './case-schema';
import { linkFollowUp, type FollowUpInput } from './meetings-record';
import { ORIGIN_LOCAL_EDIT } from './origins';

export type MeetingSource = Readonly<{ kind: 'meeting'; meetingId: string; itemId: string }>;

export type CaseFollowUpInput = Readonly<{
	meetingId: MeetingId;
	itemId: MeetingItemId;
	gridId: string;
	title: string;
	description: string;
	category: string;
	owner: string;
	deadline: number | null;
	tier: FollowUpInput['tier'];
}>;

export function createCaseFromAction(
	boardDoc: Y.Doc,
	meetingDoc: Y.Doc,
	input: CaseFollowUpInput,
	actor: Actor,
	at: number = Date.now()
): Result<CaseId, CreateCaseReason | 'item_not_found' | 'not_an_action'> {
	const caseInput: NewCaseInput = {
		title: input.title,
		description: input.description,
		category: input.category,
		channel: 'meeting',
		deadline: input.deadline
	};
	let created: Result<CaseId, CreateCaseReason> = err('title_required');
	boardDoc.transact(() => {
		created = createCase(boardDoc, caseInput, actor, at);
		if (!created.ok) return;
		const source: MeetingSource = {
			kind: 'meeting',
			meetingId: input.meetingId,
			itemId: input.itemId
		};
		const map = casesMap(boardDoc).get(created.value);
		if (map && typeof map === 'object' && 'set' in map) {
			(map as Y.Map<unknown>).set('source', { ...source });
		}
	}, ORIGIN_LOCAL_EDIT);
	const result = created as Result<CaseId, CreateCaseReason>;
	if (!result.ok) return result;
	const linked = linkFollowUp(
		meetingDoc,
		input.itemId,
		{
			kind: 'case',
			gridId: input.gridId,
			targetId: result.value,
			owner: input.owner.trim(),
			deadline: input.deadline,
			tier: input.tier
		},
		actor,
		at
	);
	return linked.ok ? ok(result.value) : linked;
}

/** The meeting a case came from, if any. */
export function readCaseSource(boardDoc: Y.Doc, caseId: string): MeetingSource | null {
	const map = casesMap(boardDoc).get(caseId);
	if (!map || typeof map !== 'object' || !('get' in map)) return null;
	const source = (map as Y.Map<unknown>).get('source') as Record<string, unknown> | undefined;
	if (!source || source.kind !== 'meeting') return null;
	if (typeof source.meetingId !== 'string' || typeof source.itemId !== 'string') return null;
	return Object.freeze({ kind: 'meeting', meetingId: source.meetingId, itemId: source.itemId });
}
