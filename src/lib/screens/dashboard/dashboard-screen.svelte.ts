/**
 * The dashboard's and the report's screen model: which documents' summaries they read (every
 * grid's board; every grid's household register when the viewer may read them all; the tasks
 * document; the meeting index), the period in the URL, and the figures for it
 * (figures.ts `dashboardFigures`) under the community's deadline rules, visit plan and zone.
 *
 * Who: the secretary reads everything; an observer reads everything but households (the access
 * matrix gives observers no register); other roles are not offered the dashboard
 * (who.ts `mayViewDashboard`).
 *
 * Invariant: reads only (no command); the figures are a function of the summaries, the directory
 * and `now`, so two devices with the same summaries show the same numbers.
 */
import {
	boardDocName,
	canReadHouseholds,
	householdsDocName,
	meetingIndexDocName,
	tasksDocName,
	type AccessClaims
} from '$lib/wire';
import type { DirectorySnapshot } from '$lib/model/directory';
import { readCommunitySettings } from '$lib/model/directory';
import type { DocHandle } from '$lib/reactive/use-doc.svelte';
import type { CommunitySummaries } from '$lib/reactive/community-summaries.svelte';
import {
	dashboardFigures,
	parseDayRange,
	periodDays,
	PERIODS,
	rangeOfDays,
	type DashboardFigures,
	type Period,
	type PeriodRange
} from './figures';

/** The period a URL asks for: `?from&to` (custom days) or `?period=` (this week, month…). */
export function periodOf(
	params: URLSearchParams,
	now: number,
	zone: string,
	fallback: Period = 'month'
): Readonly<{ period: Period; range: PeriodRange }> {
	const custom = parseDayRange(params);
	if (custom) return { period: 'custom', range: rangeOfDays(custom, zone) };
	const asked = params.get('period');
	const period = (PERIODS as readonly string[]).includes(asked ?? '')
		? (asked as Period)
		: fallback;
	const days = periodDays(period === 'custom' ? fallback : period, now, zone);
	return { period: period === 'custom' ? fallback : period, range: rangeOfDays(days, zone) };
}

type Directory = Pick<DocHandle<DirectorySnapshot>, 'doc' | 'snapshot' | 'ready'>;
type Summaries = Pick<CommunitySummaries, 'of' | 'ready'>;

export class DashboardScreen {
	readonly #directory: Directory;
	readonly #summaries: Summaries;
	readonly #communityId: string;
	readonly #claims: () => AccessClaims;

	constructor(
		directory: Directory,
		summaries: Summaries,
		communityId: string,
		claims: () => AccessClaims
	) {
		this.#directory = directory;
		this.#summaries = summaries;
		this.#communityId = communityId;
		this.#claims = claims;
	}

	get grids(): DirectorySnapshot['grids'] {
		return this.#directory.snapshot.current.grids;
	}

	/** The directory and the stored summaries are read (before, nothing is known yet). */
	get ready(): boolean {
		return this.#directory.ready && this.#summaries.ready;
	}

	/** The households block is shown only to who may read every grid's register. */
	get showsHouseholds(): boolean {
		const claims = this.#claims();
		return this.grids.length > 0 && this.grids.every((grid) => canReadHouseholds(claims, grid.id));
	}

	/** The community's time zone (the directory's setting). */
	get zone(): string {
		void this.#directory.snapshot.current;
		return readCommunitySettings(this.#directory.doc).timeZone;
	}

	/** Every document whose summary the figures read. */
	docNames(): string[] {
		const cid = this.#communityId;
		const households = this.showsHouseholds;
		return [
			...this.grids.flatMap((grid) => [
				boardDocName(cid, grid.id),
				...(households ? [householdsDocName(cid, grid.id)] : [])
			]),
			tasksDocName(cid),
			meetingIndexDocName(cid)
		];
	}

	figures(range: PeriodRange, now: number): DashboardFigures {
		void this.#directory.snapshot.current;
		const settings = readCommunitySettings(this.#directory.doc);
		const cid = this.#communityId;
		const summaries = this.#summaries;
		return dashboardFigures({
			grids: this.grids,
			board: (gridId) => summaries.of(boardDocName(cid, gridId), 'board'),
			households: this.showsHouseholds
				? (gridId) => summaries.of(householdsDocName(cid, gridId), 'households')
				: null,
			work: summaries.of(tasksDocName(cid), 'tasks'),
			meetings: summaries.of(meetingIndexDocName(cid), 'meetings'),
			range,
			now,
			rules: settings.deadlineRules,
			zone: settings.timeZone,
			plan: settings.visitPlan
		});
	}
}
