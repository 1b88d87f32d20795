/**
 * Turning a meeting's action into a case on a grid's board (owner, deadline, tier, category) or a
 * volunteer task (no tier), in one step: the form's state, its checks (the day is a day and not
 * over; a typed owner cannot pose as a member entry; a case needs a grid), and the one
 * cross-aggregate call, holding the board or tasks document open while it writes.
 *
 * Invariant: nothing is written unless every check passed; the form closes only when the
 * follow-up was made, otherwise `refusal` says why.
 */

import { boardDocName, type GridId } from '$lib/domain/ids';
import {
	assigneeFromTyped,
	assigneeOfMember,
	formatAssignee,
	isPlainNameAllowed,
	type Assignee,
	type RosterMember
} from '$lib/domain/assignees';
import type * as Y from 'yjs';
import type { FollowUpTier } from '$lib/domain/meeting-rules';
import type { DueDateReason } from '$lib/domain/due-date';
import { err, ok, type Result } from '$lib/domain/result';
import { tasksDocName } from '$lib/domain/task-rules';
import { createCaseFromAction, createTaskFromAction, type MeetingItem } from '$lib/model/meeting';
import type { MeetingScreen } from './meeting-screen.svelte';
import type { FollowUpReason } from './reasons';

/** What the form needs from the community: its members and its calendar. */
export type FollowUpCommunity = Readonly<{
	roster: () => readonly RosterMember[] | null;
	deadlineOf: (day: string) => Result<number, DueDateReason>;
	zone: () => string;
}>;

export class FollowUpForm {
	readonly #screen: MeetingScreen;
	readonly #item: MeetingItem;
	readonly #community: FollowUpCommunity;
	open = $state<'case' | 'task' | null>(null);
	gridId = $state('');
	/** The member picked as owner ('' for none), else the typed name. */
	ownerMemberId = $state('');
	ownerTyped = $state('');
	/** The due day as typed (yyyy-mm-dd), '' for none. */
	deadline = $state('');
	tier = $state<FollowUpTier>('grid');
	category = $state('other');
	refusal = $state<FollowUpReason | null>(null);

	constructor(
		screen: MeetingScreen,
		item: MeetingItem,
		community: FollowUpCommunity,
		defaultGrid: string
	) {
		this.#screen = screen;
		this.#item = item;
		this.#community = community;
		this.gridId = defaultGrid;
	}

	/** The typed owner as an assignee (null when nothing is typed). */
	get typedOwner(): Assignee | null {
		const typed = this.ownerTyped.trim();
		return typed === '' ? null : assigneeFromTyped(typed, this.#community.roster());
	}

	/** The owner as stored: a member entry, a plain name, or ''. */
	#owner(): Result<string, 'owner_invalid'> {
		const member = this.#community.roster()?.find((m) => m.id === this.ownerMemberId);
		if (member) return ok(formatAssignee(assigneeOfMember(member)));
		const typed = this.typedOwner;
		if (typed === null) return ok('');
		if (!isPlainNameAllowed(this.ownerTyped.trim())) return err('owner_invalid');
		return ok(formatAssignee(typed));
	}

	#deadline(): Result<number | null, DueDateReason> {
		return this.deadline === '' ? ok(null) : this.#community.deadlineOf(this.deadline);
	}

	/** Makes the follow-up the form is open for; `details` is the text the case or task carries. */
	submit(details: string): Result<string, FollowUpReason> {
		const result = this.#submit(details);
		this.refusal = result.ok ? null : result.reason;
		if (result.ok) this.open = null;
		return result;
	}

	#submit(details: string): Result<string, FollowUpReason> {
		const due = this.#deadline();
		if (!due.ok) return due;
		const owner = this.#owner();
		if (!owner.ok) return owner;
		const base = {
			meetingId: this.#screen.meetingId,
			itemId: this.#item.id,
			gridId: this.gridId,
			title: this.#item.text.slice(0, 120),
			owner: owner.value,
			deadline: due.value
		};
		const context = this.#screen.context;
		if (this.open === 'task') {
			return this.#with(tasksDocName(this.#screen.communityId), (tasksDoc) =>
				createTaskFromAction(
					tasksDoc,
					this.#screen.recordDoc,
					{ ...base, details, timeZone: this.#community.zone() },
					context
				)
			);
		}
		if (this.gridId === '') return err('grid_required');
		const board = boardDocName(this.#screen.communityId, this.gridId as GridId);
		return this.#with(board, (boardDoc) =>
			createCaseFromAction(
				boardDoc,
				this.#screen.recordDoc,
				{ ...base, description: details, category: this.category, tier: this.tier },
				context
			)
		);
	}

	/** Runs `write` on a document held open for it; the registry keeps it until it is on the relay. */
	#with<T, R extends string>(docName: string, write: (doc: Y.Doc) => Result<T, R>): Result<T, R> {
		const lease = this.#screen.registry.acquire(docName);
		try {
			return write(lease.session.doc);
		} finally {
			lease.release();
		}
	}
}
