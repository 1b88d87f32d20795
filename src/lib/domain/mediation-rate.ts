/**
 * Mediation success rate: of the community's mediation sessions whose outcome is known, the
 * share that reached an agreement ("2,547 mediations in a year, 91% successful").
 *
 * Invariant: sessions still pending, and meetings of other types, count in neither the
 * numerator nor the denominator; with no decided session the rate is null, not 0 or 100%.
 */

import type { MediationOutcome, MeetingType } from './meeting-rules';

export type MediationTally = Readonly<{
	/** Mediation sessions recorded, decided or not. */
	sessions: number;
	/** Sessions with an outcome: agreed + not agreed. */
	decided: number;
	agreed: number;
	/** agreed / decided, between 0 and 1; null when nothing is decided. */
	rate: number | null;
}>;

export function mediationSuccessRate(
	meetings: readonly Readonly<{ type: MeetingType; mediationOutcome: MediationOutcome }>[]
): MediationTally {
	let sessions = 0;
	let agreed = 0;
	let decided = 0;
	for (const meeting of meetings) {
		if (meeting.type !== 'mediation') continue;
		sessions++;
		if (meeting.mediationOutcome === 'pending') continue;
		decided++;
		if (meeting.mediationOutcome === 'agreed') agreed++;
	}
	return Object.freeze({
		sessions,
		decided,
		agreed,
		rate: decided === 0 ? null : agreed / decided
	});
}
