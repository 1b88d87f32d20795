/**
 * The meeting index's summary (domain/summaries.ts `MeetingsSummary`): each meeting's start,
 * type, mediation outcome and grid, and the all-time mediation tally.
 *
 * Invariant: a pure function of the index document.
 */
import type * as Y from 'yjs';
import { MEDIATION_OUTCOMES, MEETING_TYPES } from '../../domain/meeting-rules';
import { SUMMARY_VERSIONS, type MeetingsSummary } from '../../domain/summaries';
import { listMeetings, readMediationTally } from '../meeting/readers';

export function summarizeMeetings(doc: Y.Doc): MeetingsSummary {
	const meetings = listMeetings(doc);
	return Object.freeze({
		kind: 'meetings',
		version: SUMMARY_VERSIONS.meetings,
		startsAt: Float64Array.from(meetings, (meeting) => meeting.startsAt),
		type: Uint8Array.from(meetings, (meeting) => MEETING_TYPES.indexOf(meeting.type)),
		outcome: Uint8Array.from(meetings, (meeting) =>
			MEDIATION_OUTCOMES.indexOf(meeting.mediationOutcome)
		),
		gridId: meetings.map((meeting) => meeting.gridId ?? ''),
		mediation: readMediationTally(meetings)
	});
}
