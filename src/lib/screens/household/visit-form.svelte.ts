/**
 * Recording a visit to a household, offline: the day (today unless changed), who went (me
 * unless changed), what was found, photos already committed to the photo outbox by the picker;
 * and a visit's follow-up: a case on the household's grid board or a volunteer task, made and
 * linked both ways in one step (model/household/follow-ups.ts), holding the board or the tasks
 * document open while it writes.
 *
 * Invariant: the visit form clears only when `recordVisit` accepted it; the follow-up form closes
 * only when the case or task was made; every refusal is kept in `problem`. A follow-up carries
 * only what the member typed (never the household's address or residents).
 */

import type * as Y from 'yjs';
import { dayKeyOf, isDayKey, startOfDay } from '$lib/domain/due-date';
import type { HouseholdId, VisitId } from '$lib/domain/household';
import { boardDocName, type CommunityId, type GridId } from '$lib/domain/ids';
import type { Result } from '$lib/domain/result';
import { tasksDocName } from '$lib/domain/task-rules';
import type { PhotoInput } from '$lib/model/case';
import {
	createCaseFromVisit,
	createTaskFromVisit,
	recordVisit,
	type HouseholdContext
} from '$lib/model/household';
import { householdProblem, type HouseholdProblem } from './problem';

/** Opens a document for one write and lets it go (the session registry, or a fake in tests). */
export type DocLeases = Readonly<{
	acquire: (docName: string) => { readonly session: { readonly doc: Y.Doc }; release(): void };
}>;

export type VisitFormSources = Readonly<{
	doc: Y.Doc;
	householdId: HouseholdId;
	communityId: CommunityId;
	gridId: GridId;
	docs: DocLeases;
	context: () => HouseholdContext;
	/** The community's time zone (the day typed is a day there). */
	zone: () => string;
	clock?: () => number;
}>;

const HOUR_MS = 3_600_000;

export class VisitForm {
	readonly #sources: VisitFormSources;
	readonly #clock: () => number;
	open = $state(false);
	/** `YYYY-MM-DD` in the community's zone. */
	day = $state('');
	/** Who went, comma separated; the member's name to start with. */
	visitors = $state('');
	findings = $state('');
	photos = $state<PhotoInput[]>([]);
	problem = $state<HouseholdProblem | null>(null);
	/** The visit a follow-up is being made for, and what kind. */
	followUp = $state<{ visitId: VisitId; kind: 'case' | 'task' } | null>(null);
	followUpTitle = $state('');
	followUpDetails = $state('');
	followUpCategory = $state('other');
	followUpProblem = $state<HouseholdProblem | null>(null);

	constructor(sources: VisitFormSources) {
		this.#sources = sources;
		this.#clock = sources.clock ?? Date.now;
	}

	get today(): string {
		return dayKeyOf(this.#clock(), this.#sources.zone());
	}

	start(): void {
		this.open = true;
		this.day = this.today;
		this.visitors = this.#sources.context().actor.name;
		this.problem = null;
	}

	addPhoto(photo: PhotoInput): void {
		if (!this.photos.some((p) => p.hash === photo.hash)) this.photos = [...this.photos, photo];
	}

	/** When the visit took place: now for today, else midday of the day typed. */
	#visitedAt(): number | null {
		if (!isDayKey(this.day)) return null;
		const now = this.#clock();
		const zone = this.#sources.zone();
		if (this.day === dayKeyOf(now, zone)) return now;
		return startOfDay(this.day, zone) + 12 * HOUR_MS;
	}

	submit(): VisitId | null {
		const visitedAt = this.#visitedAt();
		if (visitedAt === null) {
			this.problem = householdProblem('visit_date_invalid');
			return null;
		}
		const result = recordVisit(
			this.#sources.doc,
			this.#sources.householdId,
			{
				visitedAt,
				visitors: this.visitors.split(/[,，、]/),
				findings: this.findings,
				photos: this.photos
			},
			{ ...this.#sources.context(), at: this.#clock() }
		);
		if (!result.ok) {
			this.problem = householdProblem(result.reason);
			return null;
		}
		this.problem = null;
		this.open = false;
		this.findings = '';
		this.photos = [];
		return result.value;
	}

	cancel(): void {
		this.open = false;
		this.problem = null;
	}

	startFollowUp(visitId: VisitId, kind: 'case' | 'task'): void {
		this.followUp = { visitId, kind };
		this.followUpTitle = '';
		this.followUpDetails = '';
		this.followUpCategory = 'other';
		this.followUpProblem = null;
	}

	cancelFollowUp(): void {
		this.followUp = null;
		this.followUpProblem = null;
	}

	/** Makes the case or task and links it both ways; its id once made. */
	submitFollowUp(): string | null {
		const followUp = this.followUp;
		if (!followUp) return null;
		const made =
			followUp.kind === 'case'
				? this.#makeCase(followUp.visitId)
				: this.#makeTask(followUp.visitId);
		if (made === null) return null;
		this.followUpProblem = null;
		this.followUp = null;
		return made;
	}

	#makeCase(visitId: VisitId): string | null {
		const { communityId, gridId, householdId } = this.#sources;
		const made = this.#with(boardDocName(communityId, gridId), (board) =>
			createCaseFromVisit(
				board,
				this.#sources.doc,
				{ householdId, visitId },
				{
					title: this.followUpTitle,
					description: this.followUpDetails,
					category: this.followUpCategory
				},
				{ ...this.#sources.context(), at: this.#clock() }
			)
		);
		if (made.ok) return made.value;
		this.followUpProblem = { on: 'case', reason: made.reason };
		return null;
	}

	#makeTask(visitId: VisitId): string | null {
		const { communityId, gridId, householdId } = this.#sources;
		const made = this.#with(tasksDocName(communityId), (tasks) =>
			createTaskFromVisit(
				tasks,
				this.#sources.doc,
				{ householdId, visitId },
				{
					title: this.followUpTitle,
					details: this.followUpDetails,
					place: '',
					gridId,
					due: '',
					volunteersNeeded: 1,
					hours: 1
				},
				{ ...this.#sources.context(), at: this.#clock() }
			)
		);
		if (made.ok) return made.value;
		this.followUpProblem = { on: 'task', reason: made.reason };
		return null;
	}

	#with<T, R extends string>(docName: string, write: (doc: Y.Doc) => Result<T, R>): Result<T, R> {
		const lease = this.#sources.docs.acquire(docName);
		try {
			return write(lease.session.doc);
		} finally {
			lease.release();
		}
	}
}
