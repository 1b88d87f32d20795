/**
 * What a household screen may show as a problem: a household command's refusal, a check of the
 * screen's own (a visit date that is not a day), or the refusal of the case or task a visit's
 * follow-up tried to make (with the household reasons the follow-up may also give).
 *
 * Invariant: types only; the texts are components/household-labels.ts's, keyed by these unions.
 */

import type {
	CreateHouseholdReason,
	EditHouseholdReason,
	LinkFollowUpReason,
	RecordVisitReason,
	ResidentCommandReason,
	SetColourReason,
	TombstoneReason
} from '$lib/model/household';
import type { CreateCaseReason } from '$lib/model/case';
import type { CreateTaskReason } from '$lib/model/work';

export type HouseholdReason =
	| CreateHouseholdReason
	| EditHouseholdReason
	| SetColourReason
	| ResidentCommandReason
	| TombstoneReason
	| RecordVisitReason
	| LinkFollowUpReason
	| 'visit_date_invalid';

export type HouseholdProblem =
	| Readonly<{ on: 'household'; reason: HouseholdReason }>
	| Readonly<{ on: 'case'; reason: CreateCaseReason | HouseholdReason }>
	| Readonly<{ on: 'task'; reason: CreateTaskReason | HouseholdReason }>;

export const householdProblem = (reason: HouseholdReason): HouseholdProblem => ({
	on: 'household',
	reason
});
