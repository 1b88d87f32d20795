/**
 * The meetings list screen: the community's meetings with search and grid filter, the mediation
 * tally, whether this person may create meetings, and the create form.
 *
 * Invariant: the list only reads; `create` is the one command, its refusal kept in `refusal`.
 */

import type { CommunityId } from '$lib/domain/ids';
import { mayEditMeetings } from '$lib/domain/meeting-permissions';
import { instantToWallTime, wallTimeToInstant } from '$lib/domain/due-date';
import type { MeetingId, MeetingInputReason } from '$lib/domain/meeting-rules';
import type { Result } from '$lib/domain/result';
import {
	createMeeting,
	filterMeetings,
	readMediationTally,
	type MeetingSummary
} from '$lib/model/meeting';
import type { MediationTally } from '$lib/domain/mediation-rate';
import { memberContext } from '../command-context';
import type { DocView, MeetingApp } from './meeting-screen.svelte';

export type NewMeetingDraft = {
	title: string;
	type: string;
	/** A wall time in the community's zone (a datetime-local input's value). */
	time: string;
	place: string;
	gridId: string;
	agenda: string;
};

export type MeetingsView = Readonly<{
	all: readonly MeetingSummary[];
	shown: readonly MeetingSummary[];
	tally: MediationTally;
	mayCreate: boolean;
}>;

export class MeetingsScreen {
	readonly communityId: CommunityId;
	readonly #index: DocView<readonly MeetingSummary[]>;
	readonly #app: MeetingApp;
	readonly #zone: () => string;
	query = $state('');
	/** '*': every meeting; '': whole-community meetings; otherwise one grid's. */
	gridFilter = $state('*');
	/** The create form, null while closed. */
	draft = $state<NewMeetingDraft | null>(null);
	refusal = $state<MeetingInputReason | 'not_permitted' | null>(null);

	constructor(
		communityId: CommunityId,
		index: DocView<readonly MeetingSummary[]>,
		app: MeetingApp,
		zone: () => string,
		gridFilter: string | null = null
	) {
		this.communityId = communityId;
		this.#index = index;
		this.#app = app;
		this.#zone = zone;
		this.gridFilter = gridFilter ?? '*';
	}

	get current(): MeetingsView {
		const all = this.#index.snapshot.current;
		const gridId = this.gridFilter === '*' ? null : this.gridFilter;
		return {
			all,
			shown: filterMeetings(all, { query: this.query, gridId }),
			tally: readMediationTally(all),
			mayCreate: mayEditMeetings(this.#app.claims)
		};
	}

	openCreate(now: number = Date.now()): void {
		this.draft = {
			title: '',
			type: 'grid_meeting',
			time: instantToWallTime(now, this.#zone()),
			place: '',
			gridId: '',
			agenda: ''
		};
		this.refusal = null;
	}

	cancelCreate(): void {
		this.draft = null;
		this.refusal = null;
	}

	/** Creates the drafted meeting; its id, or the refusal (kept, the form stays open). */
	create(): Result<MeetingId, MeetingInputReason | 'not_permitted' | 'draft_not_open'> {
		const draft = this.draft;
		if (draft === null) return { ok: false, reason: 'draft_not_open' };
		const { time, ...rest } = draft;
		const result = createMeeting(
			this.#index.doc,
			{ ...rest, startsAt: wallTimeToInstant(time, this.#zone()) },
			memberContext(this.#app)
		);
		this.refusal = result.ok ? null : result.reason;
		if (result.ok) this.draft = null;
		return result;
	}
}
