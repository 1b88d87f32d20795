/**
 * Who may change meetings, by role: whoever may write the community's meetings documents in the
 * access matrix (wire/access.ts, docs/access.md): secretaries and grid members. Volunteers and
 * observers read them. One rule for every meeting command (create, edit, attendees, status,
 * minutes items, follow-ups, amendments) and for what the meeting pages offer.
 *
 * Invariant: deny by default; it is the matrix's cell, never a second copy of it.
 */
import { accessFor, meetingIndexDocName, type AccessClaims } from '../wire/index.ts';

export function mayEditMeetings(claims: AccessClaims): boolean {
	return accessFor(claims, meetingIndexDocName(claims.cid)) === 'write';
}
