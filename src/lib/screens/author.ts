/**
 * Who wrote an entry, as every timeline shows it (case timeline, task record, meeting record):
 * the name the entry was signed with (`by`) checked against the member the relay attested as its
 * sender (model/attestation.ts).
 *
 *   confirmed   the attested member's name is the signed name (or, when this device cannot
 *               name the member: no roster, the entry's own member id agrees or it has none, and
 *               the relay checked the name when it took the entry)
 *   mismatch    signed as one name, sent by another member: shown with both, as unverified
 *   unverified  no attestation and written on another device: from before attestation existed,
 *               or never sent through the relay by a member
 *   pending     this device's own entry the relay has not confirmed yet (the sync status
 *               covers it; shown as before)
 *
 * Invariant: a pure function of the entry, its authorship and who is looking; the components only
 * render the answer.
 */

import type { RosterMember } from '$lib/domain/assignees';
import type { Authorship } from '$lib/model/case';

export type AuthorView =
	| Readonly<{ kind: 'confirmed'; name: string }>
	| Readonly<{ kind: 'mismatch'; signed: string; sender: string | null }>
	| Readonly<{ kind: 'unverified'; signed: string }>
	| Readonly<{ kind: 'pending'; name: string }>;

/** What an entry says of its author. `memberId` only where entries carry it (tasks). */
export type SignedEntry = Readonly<{ by: string; deviceId: string; memberId?: string }>;

/** The person looking, and the names this device knows. */
export type Viewer = Readonly<{
	deviceId: string;
	memberId: string;
	displayName: string;
	/** The community's roster when this device has one (staff), else null. */
	roster: readonly RosterMember[] | null;
}>;

function memberName(memberId: string, viewer: Viewer): string | null {
	if (memberId === viewer.memberId && viewer.displayName !== '') return viewer.displayName;
	return viewer.roster?.find((member) => member.id === memberId)?.displayName ?? null;
}

export function authorView(
	entry: SignedEntry,
	authorship: Authorship | undefined,
	viewer: Viewer
): AuthorView {
	if (authorship === undefined || authorship.kind === 'unattested') {
		const own = entry.deviceId !== '' && entry.deviceId === viewer.deviceId;
		return own ? { kind: 'pending', name: entry.by } : { kind: 'unverified', signed: entry.by };
	}
	const sender = memberName(authorship.memberId, viewer);
	const otherMember = entry.memberId !== undefined && entry.memberId !== authorship.memberId;
	if (otherMember || (sender !== null && sender !== entry.by)) {
		return { kind: 'mismatch', signed: entry.by, sender };
	}
	return { kind: 'confirmed', name: sender ?? entry.by };
}
