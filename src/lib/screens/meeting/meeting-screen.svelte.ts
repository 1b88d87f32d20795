/**
 * The meeting screen: one meeting's index entry (details, attendees, mediation, status) and its
 * meeting document (minutes items, follow-ups, lock, amendments), with what this person sees and
 * may do. The page and its components render `current` and call the methods; this is the only
 * caller of meeting commands for the screen.
 *
 * Invariant: every command result is kept (`refusal`, by section, read by the view as text) or
 * returned; forms edit over what they saw (FieldDraft) and save through one all-or-nothing
 * `editMeeting`; a conflict pick passes the heads that were shown with it.
 */

import type * as Y from 'yjs';
import { accessFor } from '$lib/wire';
import type { CommunityId, EditId } from '$lib/domain/ids';
import { mayEditMeetings } from '$lib/domain/meeting-permissions';
import { instantToWallTime, wallTimeToInstant } from '$lib/domain/due-date';
import {
	meetingControls,
	meetingDocName,
	type MeetingAction,
	type MeetingId,
	type MeetingItemId,
	type MeetingItemKind,
	type MeetingStatus
} from '$lib/domain/meeting-rules';
import { err, type Result } from '$lib/domain/result';
import {
	addAmendment,
	addAttendee,
	addMeetingItem,
	applyMeetingStatusAction,
	editMeeting,
	finishMeeting,
	removeAttendee,
	resolveMeetingFieldConflict,
	type AttendeeInput,
	type EditableMeetingField,
	type MeetingItem,
	type MeetingRecordSnapshot,
	type MeetingSnapshot
} from '$lib/model/meeting';
import type { FieldCandidate } from '$lib/model/field-log';
import type { AppState } from '$lib/reactive/app-context.svelte';
import { memberContext } from '../command-context';
import { FieldDraft, type DraftChanges } from '../field-draft.svelte';
import type { MeetingReason } from './reasons';

/** A document and its reader's snapshot (what `useDoc` hands a page; tests build it directly). */
export type DocView<T> = Readonly<{ doc: Y.Doc; snapshot: { readonly current: T } }>;
export type MeetingApp = Pick<AppState, 'actor' | 'claims' | 'membership' | 'registry'>;

export type MeetingScreenSources = Readonly<{
	communityId: CommunityId;
	meetingId: MeetingId;
	index: DocView<MeetingSnapshot | null>;
	record: DocView<MeetingRecordSnapshot>;
	app: MeetingApp;
	/** The community's time zone (the details form edits the start as a wall time there). */
	zone: () => string;
}>;

const DETAIL_FIELDS = ['title', 'place', 'agenda'] as const;
const MEDIATION_FIELDS = ['mediationClaim', 'mediationOutcome', 'agreementText'] as const;

/** A field in conflict, as shown: its candidates and the heads a pick stands on. */
export type ShownConflict = Readonly<{
	field: EditableMeetingField;
	values: readonly FieldCandidate<string | number>[];
	heads: readonly EditId[];
}>;

export type MeetingItemView = Readonly<{ item: MeetingItem; offersFollowUp: boolean }>;

export type MeetingView = Readonly<{
	meeting: MeetingSnapshot | null;
	record: MeetingRecordSnapshot;
	canRead: boolean;
	/** This person may change meetings (secretaries and grid members). */
	mayEdit: boolean;
	/** Locked here or marked finished in the list: the record is final. */
	finished: boolean;
	/** The status the page shows on the meeting (finished as soon as either says so). */
	shownStatus: MeetingStatus;
	/** Details, attendees, mediation and minutes may be changed. */
	mayEditDetails: boolean;
	mayStart: boolean;
	mayFinish: boolean;
	finishWarnsNoAttendees: boolean;
	isMediation: boolean;
	/** Conflicts this person may settle, by section. */
	detailConflicts: readonly ShownConflict[];
	mediationConflicts: readonly ShownConflict[];
	items: readonly MeetingItemView[];
	mayAmend: boolean;
}>;

export type MeetingSection =
	'details' | 'mediation' | 'attendees' | 'status' | 'conflict' | 'items' | 'amendment';

type DetailValues = { title: string; startsAt: string; place: string; agenda: string };
type MediationValues = { mediationClaim: string; mediationOutcome: string; agreementText: string };

const EMPTY: readonly never[] = Object.freeze([]);

function conflictsOf(
	meeting: MeetingSnapshot,
	fields: readonly EditableMeetingField[]
): readonly ShownConflict[] {
	const out: ShownConflict[] = [];
	for (const field of fields) {
		const state = meeting.fields[field];
		if (state.conflict) out.push({ field, values: state.conflict.values, heads: state.heads });
	}
	return out;
}

export class MeetingScreen {
	readonly communityId: CommunityId;
	readonly meetingId: MeetingId;
	readonly #sources: MeetingScreenSources;
	/** The details form (start time as a wall time in the community's zone). */
	readonly details = new FieldDraft<DetailValues>(['title', 'startsAt', 'place', 'agenda']);
	readonly mediation = new FieldDraft<MediationValues>([...MEDIATION_FIELDS]);
	/** The last refusal in each section, until that section next succeeds. */
	refusal = $state<Partial<Record<MeetingSection, MeetingReason>>>({});
	#memo: { key: readonly unknown[]; view: MeetingView } | null = null;

	constructor(sources: MeetingScreenSources) {
		this.#sources = sources;
		this.communityId = sources.communityId;
		this.meetingId = sources.meetingId;
	}

	/** Where follow-ups open the board or tasks document they write to. */
	get registry(): MeetingApp['registry'] {
		return this.#sources.app.registry;
	}

	get indexDoc(): Y.Doc {
		return this.#sources.index.doc;
	}

	get recordDoc(): Y.Doc {
		return this.#sources.record.doc;
	}

	/** The secretary may see the minutes as they were on a chosen day (the relay's history). */
	get mayLookBack(): boolean {
		return this.#sources.app.claims.role === 'secretary';
	}

	get current(): MeetingView {
		const meeting = this.#sources.index.snapshot.current;
		const record = this.#sources.record.snapshot.current;
		const claims = this.#sources.app.claims;
		const canRead = accessFor(claims, meetingDocName(this.communityId, this.meetingId)) !== 'none';
		const mayEdit = mayEditMeetings(claims);
		const key = [meeting, record, canRead, mayEdit];
		if (this.#memo && this.#memo.key.every((part, i) => part === key[i])) return this.#memo.view;
		const view = Object.freeze(this.#view(meeting, record, canRead, mayEdit));
		this.#memo = { key, view };
		return view;
	}

	#view(
		meeting: MeetingSnapshot | null,
		record: MeetingRecordSnapshot,
		canRead: boolean,
		mayEdit: boolean
	): MeetingView {
		const finished = record.lock !== null || meeting?.status === 'finished';
		const shownStatus = finished ? 'finished' : (meeting?.status ?? 'planned');
		const controls = meetingControls(shownStatus, meeting?.attendees.length ?? 0);
		const mayEditDetails = mayEdit && !finished;
		return {
			meeting,
			record,
			canRead,
			mayEdit,
			finished,
			shownStatus,
			mayEditDetails,
			mayStart: mayEdit && controls.canStart,
			mayFinish: mayEdit && controls.canFinish,
			finishWarnsNoAttendees: controls.finishWarnsNoAttendees,
			isMediation: meeting?.type === 'mediation',
			detailConflicts: meeting && mayEditDetails ? conflictsOf(meeting, DETAIL_FIELDS) : EMPTY,
			mediationConflicts:
				meeting && mayEditDetails ? conflictsOf(meeting, MEDIATION_FIELDS) : EMPTY,
			items: record.items.map((item) => ({
				item,
				offersFollowUp: item.kind === 'action' && mayEdit && item.followUps.length === 0
			})),
			mayAmend: mayEdit && record.lock !== null
		};
	}

	/** The member's context, built when the command runs (a role change is never stale). */
	get context() {
		return memberContext(this.#sources.app);
	}

	#keep<T, R extends MeetingReason>(section: MeetingSection, result: Result<T, R>): Result<T, R> {
		this.#note(section, result.ok ? null : result.reason);
		return result;
	}

	#note(section: MeetingSection, reason: MeetingReason | null): void {
		const { [section]: _dropped, ...rest } = this.refusal;
		this.refusal = reason === null ? rest : { ...rest, [section]: reason };
	}

	openDetails(): void {
		const meeting = this.current.meeting;
		if (!meeting) return;
		const { fields } = meeting;
		this.details.open({
			title: fields.title,
			startsAt: {
				value: instantToWallTime(meeting.startsAt, this.#sources.zone()),
				heads: fields.startsAt.heads
			},
			place: fields.place,
			agenda: fields.agenda
		});
	}

	saveDetails() {
		const zone = this.#sources.zone();
		return this.#keep(
			'details',
			this.details.save((changes: DraftChanges<DetailValues>) => {
				const { startsAt, ...text } = changes;
				const time = startsAt && {
					value: wallTimeToInstant(startsAt.value, zone),
					seen: startsAt.seen
				};
				return editMeeting(
					this.indexDoc,
					this.meetingId,
					time ? { ...text, startsAt: time } : text,
					this.context
				);
			})
		);
	}

	cancelDetails(): void {
		this.details.close();
		this.#note('details', null);
	}

	openMediation(): void {
		const meeting = this.current.meeting;
		if (!meeting) return;
		const { fields } = meeting;
		this.mediation.open({
			mediationClaim: fields.mediationClaim,
			mediationOutcome: fields.mediationOutcome,
			agreementText: fields.agreementText
		});
	}

	saveMediation() {
		return this.#keep(
			'mediation',
			this.mediation.save((changes) =>
				editMeeting(this.indexDoc, this.meetingId, changes, this.context)
			)
		);
	}

	cancelMediation(): void {
		this.mediation.close();
		this.#note('mediation', null);
	}

	/** Picks one of a conflict's values, over the heads shown with it. */
	pick(conflict: ShownConflict, value: unknown) {
		if (typeof value !== 'string' && typeof value !== 'number') {
			return this.#keep('conflict', err('value_not_in_conflict'));
		}
		return this.#keep(
			'conflict',
			resolveMeetingFieldConflict(
				this.indexDoc,
				this.meetingId,
				conflict.field,
				value,
				conflict.heads,
				this.context
			)
		);
	}

	addAttendee(input: AttendeeInput) {
		return this.#keep('attendees', addAttendee(this.indexDoc, this.meetingId, input, this.context));
	}

	removeAttendee(attendeeId: string) {
		return this.#keep(
			'attendees',
			removeAttendee(this.indexDoc, this.meetingId, attendeeId, this.context)
		);
	}

	start() {
		return this.#keep('status', this.#status('start'));
	}

	#status(action: MeetingAction) {
		return applyMeetingStatusAction(this.indexDoc, this.meetingId, action, this.context);
	}

	/**
	 * Finishes and locks the minutes. Already finished (by someone else meanwhile) shows as
	 * finished, so it is not kept as a refusal.
	 */
	finish() {
		const result = finishMeeting(this.indexDoc, this.recordDoc, this.meetingId, this.context);
		const shown = result.ok || result.reason === 'meeting_finished' ? null : result.reason;
		this.#note('status', shown);
		return result;
	}

	/** Records a marked passage of the minutes as a decision or an action (`id` is the mark's). */
	markItem(id: MeetingItemId, kind: MeetingItemKind, text: string) {
		return this.#keep('items', addMeetingItem(this.recordDoc, { id, kind, text }, this.context));
	}

	addAmendment(text: string) {
		return this.#keep('amendment', addAmendment(this.recordDoc, text, this.context));
	}
}
