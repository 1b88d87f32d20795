/**
 * The case screen: one case of a grid's board as its page shows it, and every write the page
 * makes. `current` is the case's frozen snapshot plus the view facts (open, overdue and the
 * escalation suggestion, the status actions and tier moves this person may take, the conflicts
 * they may settle, the duplicate's title, people seen, the meeting it came from); the methods run
 * the case commands with the member's context, built when the command runs.
 *
 * Invariants: this class is the only caller of case commands for the case page and its parts;
 * every command result is returned to the caller or kept in `problem` for the page to show; what
 * it offers is what case-permissions.ts allows (the commands check the same table again).
 */

import { createContext } from 'svelte';
import type * as Y from 'yjs';
import { assigneeNames } from '$lib/domain/assignees';
import { effectiveDeadline, isOverdue, suggestEscalation } from '$lib/domain/case-deadline';
import { CASE_FIELDS, EDITABLE_CASE_FIELDS, type CaseField } from '$lib/domain/case-input';
import type { Satisfaction, Tier } from '$lib/domain/case-options';
import {
	mayOperate,
	mayResolveConflict,
	reportFormFor,
	type CaseOperation
} from '$lib/domain/case-permissions';
import {
	availableActions,
	isOpenStatus,
	type CaseAction,
	type CaseStatus
} from '$lib/domain/case-status';
import { nextTier, previousTier, type TierAction } from '$lib/domain/case-tier';
import { dueDateToDeadline } from '$lib/domain/due-date';
import type { CaseId, GridId } from '$lib/domain/ids';
import { err, type Result } from '$lib/domain/result';
import { isStaff } from '$lib/domain/task-rules';
import { canWriteBoard } from '$lib/wire';
import {
	addCaseComment,
	applyCaseStatusAction,
	assignCase,
	attachCasePhoto,
	deleteCase,
	editCase,
	listCases,
	moveCaseTier,
	readCase,
	resolveCaseFieldConflict,
	restoreCase,
	setCaseDeadline,
	type AddCommentReason,
	type DeleteCaseReason,
	type RestoreCaseReason,
	type AssignCaseReason,
	type AttachPhotoReason,
	type CaseStatusActionReason,
	type CaseSnapshot,
	type CaseSummary,
	type Changed,
	type EditCaseFieldReason,
	type MoveCaseTierReason,
	type PhotoInput,
	type PhotoRef,
	type ResolveConflictReason,
	type SetDeadlineReason
} from '$lib/model/case';
import { readCaseSource, type MeetingSource } from '$lib/model/meeting';
import { readCaseVisitSource, type VisitSource } from '$lib/model/household';
import { visitSourceView, type VisitSourceView } from '../household/visit-source';
import type { CommunitySettings } from '$lib/model/directory';
import { FieldDraft, type ShownFields } from '../field-draft.svelte';
import { boardContext } from './case-context';
import type { CaseDraft } from './case-draft';

/** What the screen reads from the board document, once per change. */
export type CaseBoardView = Readonly<{
	item: CaseSnapshot | null;
	cases: readonly CaseSummary[];
	source: MeetingSource | null;
	visitSource: VisitSource | null;
}>;

export function caseBoardReader(caseId: CaseId): (doc: Y.Doc) => CaseBoardView {
	return (doc) => ({
		item: readCase(doc, caseId),
		cases: listCases(doc),
		source: readCaseSource(doc, caseId),
		visitSource: readCaseVisitSource(doc, caseId)
	});
}

/** The member as the screen needs them: the command context's parts and their display name. */
export type CaseMember = Parameters<typeof boardContext>[0] & Readonly<{ displayName: string }>;

export type TierMove = Readonly<{ action: TierAction; to: Tier }>;

export type CaseFacts = Readonly<{
	item: CaseSnapshot;
	/**
	 * The board is writable for this person (observers and other grids' members read only) and the
	 * case is not deleted.
	 */
	canWrite: boolean;
	isOpen: boolean;
	overdue: boolean;
	suggestion: Tier | null;
	/** The deadline in force: the explicit one, else the tier's default from the rules. */
	dueAt: number;
	statusActions: readonly CaseAction[];
	tierMoves: readonly TierMove[];
	mayAssign: boolean;
	maySetDeadline: boolean;
	/** The edit form shows the staff's triage fields. */
	staffFields: boolean;
	/** Fields in conflict that this person may settle. */
	settleable: readonly CaseField[];
	duplicateOf: Readonly<{ id: string; title: string }> | null;
	/** The board's other cases, for marking this one a duplicate. */
	otherCases: readonly CaseSummary[];
	/** The stored assignee entries. */
	assignees: readonly string[];
	/** Names seen on this case (and this person's), suggested when typing an assignee. */
	peopleSeen: readonly string[];
	source: MeetingSource | null;
	/** The household visit the case came from (a link back only for those who may read it). */
	visit: VisitSourceView | null;
	/** Staff may turn the case into a volunteer task that links back to it. */
	mayFollowUp: boolean;
	/** The secretary may delete the case, and restore it while it is deleted. */
	mayDelete: boolean;
	/** The secretary may see the case as it was on a chosen day (the relay's history). */
	mayLookBack: boolean;
}>;

export type CasePanel =
	'none' | 'escalate' | 'hand_back' | 'review' | 'duplicate' | 'assign' | 'deadline';

/** A refusal shown under the actions, by the command that gave it. */
export type CaseProblem =
	| Readonly<{ command: 'status'; reason: CaseStatusActionReason }>
	| Readonly<{ command: 'deadline'; reason: SetDeadlineReason }>
	| Readonly<{ command: 'conflict'; reason: ResolveConflictReason }>;

export type CaseScreenSources = Readonly<{
	doc: Y.Doc;
	/** The board's reactive snapshot, read with `caseBoardReader(caseId)`. */
	board: Readonly<{ current: CaseBoardView }>;
	settings: Readonly<{ current: CommunitySettings }>;
	member: CaseMember;
	gridId: GridId;
	caseId: CaseId;
	/** The clock (tests pin it). */
	clock?: () => number;
}>;

export class CaseScreen {
	readonly caseId: CaseId;
	readonly gridId: GridId;
	readonly #doc: Y.Doc;
	readonly #board: CaseScreenSources['board'];
	readonly #settings: CaseScreenSources['settings'];
	readonly #member: CaseMember;
	readonly #clock: () => number;

	/** The time overdue is judged at; `tick()` moves it (the page does, every minute). */
	now = $state(0);
	panel = $state<CasePanel>('none');
	problem = $state<CaseProblem | null>(null);
	/** The edit form's draft, opened over what the page shows (screens/field-draft.svelte.ts). */
	readonly draft = new FieldDraft<CaseDraft>(EDITABLE_CASE_FIELDS);

	current: CaseFacts | null = $derived.by(() => this.#facts());

	constructor(sources: CaseScreenSources) {
		this.caseId = sources.caseId;
		this.gridId = sources.gridId;
		this.#doc = sources.doc;
		this.#board = sources.board;
		this.#settings = sources.settings;
		this.#member = sources.member;
		this.#clock = sources.clock ?? Date.now;
		this.now = this.#clock();
	}

	get settings(): CommunitySettings {
		return this.#settings.current;
	}

	tick(): void {
		this.now = this.#clock();
	}

	#context() {
		return { ...boardContext(this.#member, this.gridId), at: this.#clock() };
	}

	#may(operation: CaseOperation, state: { status: CaseStatus; tier: Tier }): boolean {
		return mayOperate(this.#member.claims, this.gridId, operation, state);
	}

	#facts(): CaseFacts | null {
		const { item, cases, source, visitSource } = this.#board.current;
		if (!item) return null;
		const claims = this.#member.claims;
		const rules = this.#settings.current.deadlineRules;
		const state = { status: item.fields.status.value, tier: item.fields.tier.value };
		const may = (operation: CaseOperation) => this.#may(operation, state);
		const deadlineCase = {
			...state,
			tierSince: item.tierSince,
			category: item.fields.category.value,
			deadline: item.fields.deadline.value
		};
		const isOpen = isOpenStatus(state.status);
		// A deleted case is read until it is restored (its page says so and offers the restore).
		const canWrite = canWriteBoard(claims, this.gridId) && item.deletion === null;
		const moves: TierMove[] = [];
		const up = nextTier(state.tier);
		const down = previousTier(state.tier);
		if (isOpen && up && may('escalate')) moves.push({ action: 'escalate', to: up });
		if (isOpen && down && may('hand_back')) moves.push({ action: 'hand_back', to: down });
		const duplicateId = item.fields.duplicateOf.value;
		return Object.freeze({
			item,
			canWrite,
			isOpen,
			overdue: isOverdue(deadlineCase, this.now, rules),
			suggestion: suggestEscalation(deadlineCase, this.now, rules),
			dueAt: effectiveDeadline(deadlineCase, rules),
			statusActions: availableActions(state.status).filter((action) => may(action)),
			tierMoves: moves,
			mayAssign: may('assign'),
			maySetDeadline: may('set_deadline'),
			staffFields: reportFormFor(claims.role).staffFields,
			settleable: CASE_FIELDS.filter(
				(field) =>
					item.fields[field].conflict !== null &&
					canWrite &&
					mayResolveConflict(claims, this.gridId, field, state)
			),
			duplicateOf: duplicateId
				? { id: duplicateId, title: cases.find((c) => c.id === duplicateId)?.title ?? duplicateId }
				: null,
			otherCases: cases.filter((c) => c.id !== this.caseId),
			assignees: item.fields.assignees.value ? item.fields.assignees.value.split(',') : [],
			peopleSeen: peopleSeen(item, this.#member.displayName),
			source,
			visit: visitSourceView(visitSource, claims),
			mayFollowUp: isStaff(claims.role),
			mayDelete: may('delete'),
			mayLookBack: claims.role === 'secretary'
		});
	}

	/** Opens the edit form over the values and heads on screen now. */
	startEdit(): void {
		const item = this.current?.item;
		if (!item) return;
		const shown = Object.fromEntries(
			EDITABLE_CASE_FIELDS.map((field) => [
				field,
				{ value: String(item.fields[field].value), heads: item.fields[field].heads }
			])
		) as ShownFields<CaseDraft>;
		this.draft.open(shown);
	}

	/** Saves the form's changed fields in one edit, each over the heads seen when it opened. */
	saveEdit(values: CaseDraft): Result<Changed, EditCaseFieldReason | 'draft_not_open'> {
		return this.draft.save(
			(changes) => editCase(this.#doc, this.caseId, changes, this.#context()),
			values
		);
	}

	/** A status action; review and mark-duplicate first ask for their details in a panel. */
	act(action: CaseAction): void {
		if (action === 'review' || action === 'mark_duplicate') {
			this.panel = action === 'review' ? 'review' : 'duplicate';
			return;
		}
		const result = applyCaseStatusAction(this.#doc, this.caseId, action, {}, this.#context());
		this.problem = result.ok ? null : { command: 'status', reason: result.reason };
	}

	review(satisfaction: Satisfaction | undefined, note: string) {
		const details = satisfaction ? { satisfaction, note } : { note };
		const result = applyCaseStatusAction(
			this.#doc,
			this.caseId,
			'review',
			details,
			this.#context()
		);
		if (result.ok) this.panel = 'none';
		return result;
	}

	markDuplicate(original: CaseId) {
		const result = applyCaseStatusAction(
			this.#doc,
			this.caseId,
			'mark_duplicate',
			{ duplicateOf: original },
			this.#context()
		);
		this.problem = result.ok ? null : { command: 'status', reason: result.reason };
		this.panel = 'none';
		return result;
	}

	moveTier(action: TierAction, reason: string): Result<Tier, MoveCaseTierReason> {
		const result = moveCaseTier(this.#doc, this.caseId, action, reason, this.#context());
		if (result.ok) this.panel = 'none';
		return result;
	}

	/** Sets who handles the case, over the assignees shown when the editor saves. */
	assign(names: readonly string[]): Result<Changed, AssignCaseReason> {
		const item = this.current?.item;
		if (!item) return err('case_not_found');
		const seen = item.fields.assignees.heads;
		const result = assignCase(this.#doc, this.caseId, names, { seen }, this.#context());
		if (result.ok) this.panel = 'none';
		return result;
	}

	/**
	 * Sets the deadline to the end of `day` in the community's zone, or back to the tier's
	 * default for ''. A day already over keeps the editor open with its reason; any other refusal
	 * closes it and shows under the actions.
	 */
	setDeadline(day: string): Result<Changed, SetDeadlineReason> {
		let deadline: number | null = null;
		if (day !== '') {
			const due = dueDateToDeadline(day, this.#clock(), this.settings.timeZone);
			if (!due.ok) {
				return err(due.reason === 'date_in_past' ? 'deadline_in_past' : 'deadline_invalid');
			}
			deadline = due.value;
		}
		const item = this.current?.item;
		if (!item) return err('case_not_found');
		const seen = item.fields.deadline.heads;
		const result = setCaseDeadline(this.#doc, this.caseId, deadline, { seen }, this.#context());
		if (!result.ok && result.reason === 'deadline_in_past') return result;
		this.problem = result.ok ? null : { command: 'deadline', reason: result.reason };
		this.panel = 'none';
		return result;
	}

	comment(text: string): Result<unknown, AddCommentReason> {
		return addCaseComment(this.#doc, this.caseId, text, this.#context());
	}

	/** Picks one of a field's concurrent values; a value that arrives later stays in conflict. */
	settle(field: CaseField, value: unknown): Result<Changed, ResolveConflictReason> {
		const item = this.current?.item;
		if (!item) return err('case_not_found');
		const seen = item.fields[field].heads;
		const result = resolveCaseFieldConflict(
			this.#doc,
			this.caseId,
			field,
			value as never,
			{ seen },
			this.#context()
		);
		this.problem = result.ok ? null : { command: 'conflict', reason: result.reason };
		return result;
	}

	/** Deletes the case (the secretary's; it leaves the boards, nothing of it is removed). */
	delete(): Result<CaseId, DeleteCaseReason> {
		return deleteCase(this.#doc, this.caseId, this.#context());
	}

	/** Brings the deleted case back, with every edit made while it was deleted. */
	restore(): Result<CaseId, RestoreCaseReason> {
		return restoreCase(this.#doc, this.caseId, this.#context());
	}

	attachPhoto(input: PhotoInput): Result<PhotoRef, AttachPhotoReason> {
		return attachCasePhoto(this.#doc, this.caseId, input, this.#context());
	}
}

function peopleSeen(item: CaseSnapshot, me: string): readonly string[] {
	const names = [
		me,
		item.createdBy,
		item.fields.reporterName.value,
		...item.timeline.map((entry) => entry.by),
		...item.timeline.flatMap((entry) => (entry.kind === 'assigned' ? assigneeNames(entry.to) : []))
	];
	return [...new Set(names.filter((name) => name !== ''))].sort();
}

const [getCaseScreen, setCaseScreen] = createContext<CaseScreen>();

/** Hands the page's screen to its parts (timeline, dialogs, editors). */
export { getCaseScreen, setCaseScreen };
