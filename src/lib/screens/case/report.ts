/**
 * Reporting a case from a board's "new case" page: what the form offers this person (the staff's
 * triage fields, the deadline) and the one command it runs.
 *
 * Invariant: a deadline is written only for someone who may set deadlines (case-permissions.ts);
 * "due on D" is the end of D in the community's zone (domain/due-date.ts).
 */

import type * as Y from 'yjs';
import { mayOperate, reportFormFor, type ReportForm } from '$lib/domain/case-permissions';
import { deadlineOfDay, isDayKey } from '$lib/domain/due-date';
import type { CaseId } from '$lib/domain/ids';
import type { Result } from '$lib/domain/result';
import { canWriteBoard } from '$lib/wire';
import { createCase, type CreateCaseReason } from '$lib/model/case';
import { boardContext } from './case-context';
import type { CaseDraft } from './case-draft';

type Member = Parameters<typeof boardContext>[0];

export type ReportOffer = ReportForm & Readonly<{ canWrite: boolean; canSetDeadline: boolean }>;

export function reportOffer(member: Member, gridId: string): ReportOffer {
	return {
		...reportFormFor(member.claims.role),
		canWrite: canWriteBoard(member.claims, gridId),
		canSetDeadline: mayOperate(member.claims, gridId, 'set_deadline')
	};
}

/** Creates the case; `dueDay` is a day key or '' for the tier's default from the rules. */
export function reportCase(
	doc: Y.Doc,
	gridId: string,
	member: Member,
	draft: CaseDraft,
	dueDay: string,
	zone: string
): Result<CaseId, CreateCaseReason> {
	const mayDate = mayOperate(member.claims, gridId, 'set_deadline') && isDayKey(dueDay);
	return createCase(
		doc,
		{ ...draft, deadline: mayDate ? deadlineOfDay(dueDay, zone) : null },
		boardContext(member, gridId)
	);
}
