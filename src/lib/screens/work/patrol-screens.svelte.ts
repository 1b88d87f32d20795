/**
 * The patrol screens: the routes list (staff add a route), one route (start a run), and one run
 * (tick the checklist, note findings, turn a finding into a case on the run's grid board, finish).
 *
 * Invariant: the actions offered follow domain/patrol-schedule.ts `canPatrol` for this member;
 * every command result lands in the screen's `problem`. A finding reported as a case is created
 * on the board first and linked after, so a link never names a case that was not created.
 */

import { createContext } from 'svelte';
import type * as Y from 'yjs';
import type { DayKey, Weekday } from '$lib/domain/due-date';
import type { CaseId } from '$lib/domain/ids';
import { canWriteBoard } from '$lib/wire';
import { canPatrol, nextPatrolDay, untickedCount } from '$lib/domain/patrol-schedule';
import { attachCasePhoto, createCase } from '$lib/model/case';
import {
	addPatrolFinding,
	createPatrolRoute,
	finishPatrolRun,
	linkFindingToCase,
	startPatrolRun,
	tickPatrolItem,
	type PatrolFinding,
	type PatrolRouteSnapshot,
	type PatrolRouteSummary,
	type PatrolRunSnapshot
} from '$lib/model/work';
import { ReportDraft } from './report-draft.svelte';
import { WorkScreen, type ContextSource, type DocSource } from './work-screen.svelte';

const EMPTY_ROUTE = { name: '', area: '', checklist: '' };

/** The routes list and the new-route form. */
export class PatrolRoutesScreen extends WorkScreen<readonly PatrolRouteSummary[]> {
	adding = $state(false);
	draft = $state({
		...EMPTY_ROUTE,
		gridId: '',
		weekdays: [3, 0] as Weekday[],
		hoursPerRun: 2
	});

	get current(): Readonly<{ routes: readonly PatrolRouteSummary[]; canCreate: boolean }> {
		return {
			routes: this.source.snapshot.current,
			canCreate: canPatrol(this.member.role, 'create_route')
		};
	}

	toggleDay(day: Weekday): void {
		const { weekdays } = this.draft;
		this.draft.weekdays = weekdays.includes(day)
			? weekdays.filter((d) => d !== day)
			: [...weekdays, day];
	}

	/** Adds the route in the form (one checklist item a line); the form closes once accepted. */
	create(): boolean {
		const input = {
			...this.draft,
			checklist: this.draft.checklist.split('\n'),
			hoursPerRun: Number(this.draft.hoursPerRun)
		};
		if (!this.settle(createPatrolRoute(this.source.doc, input, this.context()))) return false;
		this.adding = false;
		this.draft = { ...this.draft, ...EMPTY_ROUTE };
		return true;
	}

	cancel(): void {
		this.adding = false;
		this.dismiss();
	}
}

type RouteAndRuns = Readonly<{
	route: PatrolRouteSnapshot | null;
	runs: readonly PatrolRunSnapshot[];
}>;

/** One route: its schedule, its runs, and starting a run. */
export class PatrolRouteScreen extends WorkScreen<RouteAndRuns> {
	readonly #routeId: string;
	readonly #zone: () => string;
	readonly #today: () => DayKey;

	constructor(
		source: DocSource<RouteAndRuns>,
		context: ContextSource,
		routeId: string,
		calendar: Readonly<{ zone: () => string; today: () => DayKey }>
	) {
		super(source, context);
		this.#routeId = routeId;
		this.#zone = calendar.zone;
		this.#today = calendar.today;
	}

	/** The route (null when missing or deleted), its runs, next patrol day and whether to offer a start. */
	get current(): Readonly<{
		route: PatrolRouteSnapshot;
		runs: readonly PatrolRunSnapshot[];
		nextDay: DayKey | null;
		canStart: boolean;
	}> | null {
		const { route, runs } = this.source.snapshot.current;
		if (!route || route.deleted) return null;
		return {
			route,
			runs,
			nextDay: nextPatrolDay(route.weekdays, this.#today()),
			canStart: canPatrol(this.member.role, 'start')
		};
	}

	/** Starts a run on the community's calendar day; its id, or null when refused. */
	start(): string | null {
		const result = startPatrolRun(this.source.doc, this.#routeId, this.#zone(), this.context());
		return this.settle(result) ? result.value : null;
	}
}

export type PatrolRunView = Readonly<{
	run: PatrolRunSnapshot;
	/** This member walks this run (their own, or any for staff). */
	mayRun: boolean;
	/** Ticks, findings and finishing are offered: the run is not finished and this member may run it. */
	open: boolean;
	unticked: number;
	/** A finding may be reported as a case: this member runs it and may write its grid's board. */
	mayReport: boolean;
}>;

/** One run: its checklist, its findings, and the finding being noted. */
export class PatrolRunScreen extends WorkScreen<PatrolRunSnapshot | null> {
	/** The finding being noted (a note and photos). */
	readonly report = new ReportDraft();
	readonly #runId: string;

	constructor(source: DocSource<PatrolRunSnapshot | null>, context: ContextSource, runId: string) {
		super(source, context);
		this.#runId = runId;
	}

	get current(): PatrolRunView | null {
		const run = this.source.snapshot.current;
		if (!run) return null;
		const { authority } = this.context();
		const mayRun = canPatrol(authority.claims.role, 'run', run.runnerId === authority.memberId);
		return {
			run,
			mayRun,
			open: run.finishedAt === null && mayRun,
			unticked: untickedCount(run.ticked),
			mayReport: mayRun && canWriteBoard(authority.claims, run.gridId)
		};
	}

	tick(item: number, checked: boolean): boolean {
		return this.settle(tickPatrolItem(this.source.doc, this.#runId, item, checked, this.context()));
	}

	finish(): boolean {
		return this.settle(finishPatrolRun(this.source.doc, this.#runId, this.context()));
	}

	/** Notes the finding in the form; it clears once accepted. */
	addFinding(): boolean {
		return this.report.submit((report) =>
			this.settle(addPatrolFinding(this.source.doc, this.#runId, report, this.context()))
		);
	}

	/**
	 * One tap: the finding becomes a case on the run's grid board (`board`), titled by its first
	 * line and described by `description` (the page writes it in the person's language), with the
	 * finding's photos; then the finding is linked to the case.
	 */
	reportFinding(finding: PatrolFinding, board: Y.Doc, description: string): boolean {
		const run = this.source.snapshot.current;
		if (!run) return this.settle({ ok: false, reason: 'run_not_found' });
		const context = this.context();
		// The case is written on the run's grid board, with that board's role checks.
		const onBoard = { ...context, authority: { ...context.authority, gridId: run.gridId } };
		const title = [...(finding.note.split('\n')[0] ?? '')].slice(0, 120).join('');
		const created = createCase(
			board,
			{ title, description, category: 'other', channel: 'patrol', location: '' },
			onBoard
		);
		if (!created.ok) return this.settle({ ok: false, reason: 'case_not_created' });
		const caseId: CaseId = created.value;
		const attached = finding.photos.map((photo) => attachCasePhoto(board, caseId, photo, onBoard));
		const linked = linkFindingToCase(
			this.source.doc,
			this.#runId,
			finding.id,
			{ gridId: run.gridId, caseId },
			context
		);
		if (!this.settle(linked)) return false;
		return attached.every((result) => result.ok) || this.settle({ ok: false, reason: 'bad_photo' });
	}
}

export const [getPatrolRunScreen, setPatrolRunScreen] = createContext<PatrolRunScreen>();
