/**
 * Task rules: who may do what to a volunteer task, how claims are ranked, and the status a task
 * shows (`open → claimed → done → confirmed`).
 *
 * Claims are records, never a counter: each claim is appended on its own, so two phones that
 * claim the last slot offline both keep their claim. `rankClaims` orders the active claims by
 * (at, clientId, id) — data only, never arrival — and marks those beyond `volunteersNeeded` as
 * over-claimed, so every replica shows the same people in the same slots and staff see whom to
 * release.
 *
 * Invariant: pure functions; status only moves forward (done and confirmed are facts in an
 * append-only history, never undone by a later claim or release).
 */

import type { DayKey } from './due-date';
import { err, ok, type Result } from './result';

export { tasksDocName } from '../wire/doc-names.ts';

export const TASK_STATUSES = ['open', 'claimed', 'done', 'confirmed'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const TASK_ACTIONS = [
	'create',
	'claim',
	'unclaim',
	'complete',
	'confirm',
	'release',
	'delete'
] as const;
export type TaskAction = (typeof TASK_ACTIONS)[number];

/** Secretary and grid members are staff: they create, confirm and settle. */
export function isStaff(role: string): boolean {
	return role === 'secretary' || role === 'grid-member';
}

const VOLUNTEER_ACTIONS: readonly TaskAction[] = ['claim', 'unclaim', 'complete'];

/** The role table: staff may do everything, volunteers claim, unclaim and complete; others nothing. */
export function canTaskAction(role: string, action: TaskAction): boolean {
	if (isStaff(role)) return true;
	if (role === 'volunteer') return VOLUNTEER_ACTIONS.includes(action);
	return false;
}

/** Who acts, as the rules see them: the member (claims and hours are theirs) and their role. */
export type WorkMember = Readonly<{ memberId: string; role: string }>;

export type Claim = Readonly<{
	id: string;
	memberId: string;
	name: string;
	deviceId: string;
	at: number;
	/** The Yjs client that wrote it: a tie-break that differs between phones. */
	clientId: number;
}>;

export type ClaimStanding = 'in_slot' | 'over_claimed' | 'duplicate';
export type RankedClaim = Claim & Readonly<{ standing: ClaimStanding }>;

export function compareClaims(a: Claim, b: Claim): number {
	if (a.at !== b.at) return a.at - b.at;
	if (a.clientId !== b.clientId) return a.clientId - b.clientId;
	return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The active (not released) claims in order, each marked: the first `needed` distinct members
 * are in a slot, later ones over-claimed; a member's second claim (two phones) is a duplicate.
 */
export function rankClaims(
	claims: readonly Claim[],
	released: ReadonlySet<string>,
	needed: number
): readonly RankedClaim[] {
	const members = new Set<string>();
	const ranked: RankedClaim[] = [];
	const seenIds = new Set<string>();
	for (const claim of [...claims].sort(compareClaims)) {
		if (released.has(claim.id) || seenIds.has(claim.id)) continue;
		seenIds.add(claim.id);
		let standing: ClaimStanding;
		if (members.has(claim.memberId)) standing = 'duplicate';
		else standing = members.size < needed ? 'in_slot' : 'over_claimed';
		members.add(claim.memberId);
		ranked.push(Object.freeze({ ...claim, standing }));
	}
	return Object.freeze(ranked);
}

export type TaskFacts = Readonly<{
	needed: number;
	claims: readonly RankedClaim[];
	completed: boolean;
	confirmed: boolean;
}>;

export function inSlot(claims: readonly RankedClaim[]): readonly RankedClaim[] {
	return claims.filter((claim) => claim.standing === 'in_slot');
}

/** The claim this member holds (in a slot or not), or null. */
export function ownClaim(claims: readonly RankedClaim[], memberId: string): RankedClaim | null {
	return claims.find((claim) => claim.memberId === memberId) ?? null;
}

/** The claim a staff release settles, named by its id. */
export function claimToRelease(
	claims: readonly RankedClaim[],
	claimId: string | undefined
): Result<RankedClaim, 'claim_not_found'> {
	const claim = claims.find((candidate) => candidate.id === claimId);
	return claim ? ok(claim) : err('claim_not_found');
}

export function deriveTaskStatus(facts: TaskFacts): TaskStatus {
	if (facts.confirmed) return 'confirmed';
	if (facts.completed) return 'done';
	return inSlot(facts.claims).length >= facts.needed ? 'claimed' : 'open';
}

export type TaskActionReason =
	| 'not_allowed'
	| 'task_closed'
	| 'task_full'
	| 'already_claimed'
	| 'not_claimed'
	| 'over_claimed'
	| 'no_volunteer'
	| 'not_done'
	| 'claim_not_found';

/**
 * Checks an action against what this replica shows. `claimId` names the claim a release
 * settles. Returns the claim the action concerns (own claim for unclaim), or null.
 */
export function checkTaskAction(
	facts: TaskFacts,
	action: Exclude<TaskAction, 'create'>,
	who: WorkMember,
	claimId?: string
): Result<RankedClaim | null, TaskActionReason> {
	if (!canTaskAction(who.role, action)) return err('not_allowed');
	const status = deriveTaskStatus(facts);
	const own = ownClaim(facts.claims, who.memberId);
	switch (action) {
		case 'claim':
			if (status === 'done' || status === 'confirmed') return err('task_closed');
			if (own) return err('already_claimed');
			if (status === 'claimed') return err('task_full');
			return ok(null);
		case 'unclaim':
			if (status === 'done' || status === 'confirmed') return err('task_closed');
			return own ? ok(own) : err('not_claimed');
		case 'complete':
			if (status === 'done' || status === 'confirmed') return err('task_closed');
			if (inSlot(facts.claims).length === 0) return err('no_volunteer');
			if (isStaff(who.role)) return ok(own);
			if (!own) return err('not_claimed');
			return own.standing === 'in_slot' ? ok(own) : err('over_claimed');
		case 'confirm':
			if (status === 'confirmed') return err('task_closed');
			return status === 'done' ? ok(null) : err('not_done');
		case 'release':
			return status === 'confirmed' ? err('task_closed') : claimToRelease(facts.claims, claimId);
		case 'delete':
			return status === 'confirmed' ? err('task_closed') : ok(null);
	}
}

// ---- input ----

export const TASK_TITLE_MAX = 120;
export const TASK_TEXT_MAX = 2000;
export const TASK_PLACE_MAX = 200;
export const VOLUNTEERS_MAX = 50;
export const HOURS_MAX = 24;

export type TaskInput = Readonly<{
	title: string;
	details: string;
	place: string;
	gridId: string;
	/** `YYYY-MM-DD` or '' for none. */
	due: string;
	volunteersNeeded: number;
	/** Service hours credited to each volunteer in a slot when the task is confirmed. */
	hours: number;
}>;

export type TaskInputReason =
	| 'title_required'
	| 'title_too_long'
	| 'details_too_long'
	| 'place_too_long'
	| 'due_invalid'
	| 'due_in_past'
	| 'volunteers_invalid'
	| 'hours_invalid';

export function codePoints(value: string): number {
	let count = 0;
	for (const _ of value) count++;
	return count;
}

/** Hours are counted in half hours: 0.5 to 24. */
export function isValidHours(value: number): boolean {
	return Number.isFinite(value) && value > 0 && value <= HOURS_MAX && Number.isInteger(value * 2);
}

const DUE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A new task's input. With `today` (the community's calendar day, domain/due-date.ts), a due
 * day already over is refused: a task due yesterday is a typing slip.
 */
export function validateTaskInput(
	input: TaskInput,
	today?: DayKey
): Result<TaskInput, TaskInputReason> {
	const title = input.title.trim();
	if (title.length === 0) return err('title_required');
	if (codePoints(title) > TASK_TITLE_MAX) return err('title_too_long');
	const details = input.details.trim();
	if (codePoints(details) > TASK_TEXT_MAX) return err('details_too_long');
	const place = input.place.trim();
	if (codePoints(place) > TASK_PLACE_MAX) return err('place_too_long');
	if (input.due !== '' && (!DUE.test(input.due) || Number.isNaN(Date.parse(input.due)))) {
		return err('due_invalid');
	}
	if (input.due !== '' && today !== undefined && input.due < today) return err('due_in_past');
	const needed = input.volunteersNeeded;
	if (!Number.isInteger(needed) || needed < 1 || needed > VOLUNTEERS_MAX) {
		return err('volunteers_invalid');
	}
	if (!isValidHours(input.hours)) return err('hours_invalid');
	return ok(Object.freeze({ ...input, title, details, place }));
}

export function validateNote(note: string): Result<string, 'note_too_long'> {
	const trimmed = note.trim();
	return codePoints(trimmed) > TASK_TEXT_MAX ? err('note_too_long') : ok(trimmed);
}

// ---- due dates ----

export const DUE_SOON_DAYS = 3;

export type DueState = 'none' | 'overdue' | 'today' | 'soon' | 'later';

/** How a due day (`YYYY-MM-DD`, '' for none) stands against today (`YYYY-MM-DD`). */
export function dueState(due: string, today: string, soonDays: number = DUE_SOON_DAYS): DueState {
	if (due === '') return 'none';
	if (due < today) return 'overdue';
	if (due === today) return 'today';
	const days = Math.round((Date.parse(due) - Date.parse(today)) / 86_400_000);
	return days <= soonDays ? 'soon' : 'later';
}
