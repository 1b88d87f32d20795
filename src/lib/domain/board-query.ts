/**
 * Board query: what a board shows of its cases, as pure functions. A `BoardQuery` (filters,
 * search text, sort order) round-trips through a URL query string, so a filtered board survives a
 * reload and can be shared as a link.
 *
 * Invariant: `applyBoardQuery` is a pure function of (cases, query, now); it never reorders equal
 * items by arrival (every sort ends on the case id), so two devices show the same board in the
 * same order. Fields the case model may not carry yet (tier, priority, assignees, deadline) are
 * optional here: a case without them simply does not match a filter on them.
 *
 * The counts a board shows beside its filters (`facetCounts`) are taken over the cases every
 * other part of the query leaves, search text included: a status chip's count is the number of
 * rows tapping it shows.
 */
import { assigneeMatches } from './assignees';

/** The fields of a case summary a board reads; `CaseSummary` from the model fits it. */
export type BoardCase = Readonly<{
	id: string;
	title: string;
	category: string;
	location: string;
	status: string;
	createdAt: number;
	updatedAt: number;
	description?: string;
	tier?: string;
	tierSince?: number;
	priority?: string;
	assignees?: readonly string[];
	deadline?: number | null;
	/** Set on the community board, where cases of every grid are shown together. */
	gridId?: string;
	/** Two people set one of its fields concurrently and nobody has picked yet. */
	hasConflict?: boolean;
}>;

export const BOARD_SORTS = ['newest', 'oldest', 'deadline', 'updated', 'priority'] as const;
export type BoardSort = (typeof BOARD_SORTS)[number];

export const BOARD_VIEWS = ['list', 'columns'] as const;
export type BoardView = (typeof BOARD_VIEWS)[number];

export type BoardQuery = Readonly<{
	statuses: readonly string[];
	tiers: readonly string[];
	categories: readonly string[];
	grids: readonly string[];
	assignee: string | null;
	overdue: boolean;
	/** Only cases with a same-field conflict waiting for someone to pick. */
	conflicts: boolean;
	search: string;
	sort: BoardSort;
	view: BoardView;
}>;

export const EMPTY_BOARD_QUERY: BoardQuery = Object.freeze({
	statuses: [],
	tiers: [],
	categories: [],
	grids: [],
	assignee: null,
	overdue: false,
	conflicts: false,
	search: '',
	sort: 'newest',
	view: 'list'
});

export const SEARCH_MAX = 100;

/** Higher ranks first when sorting by priority; unknown values rank below every known one. */
const PRIORITY_RANK: Readonly<Record<string, number>> = {
	urgent: 4,
	high: 3,
	normal: 2,
	medium: 2,
	low: 1
};

export function priorityRank(priority: string | undefined): number {
	return priority === undefined ? 0 : (PRIORITY_RANK[priority] ?? 0);
}

/** Short keys keep shared links readable; lists are comma-separated. */
const KEYS = {
	statuses: 'status',
	tiers: 'tier',
	categories: 'category',
	grids: 'grid',
	assignee: 'assignee',
	overdue: 'overdue',
	conflicts: 'conflict',
	search: 'q',
	sort: 'sort',
	view: 'view'
} as const;

function readList(params: URLSearchParams, key: string, allowed?: readonly string[]): string[] {
	const values = new Set<string>();
	for (const raw of params.getAll(key)) {
		for (const part of raw.split(',')) {
			const value = part.trim();
			if (value === '' || (allowed && !allowed.includes(value))) continue;
			values.add(value);
		}
	}
	return [...values].sort();
}

function oneOf<T extends string>(value: string | null, allowed: readonly T[], fallback: T): T {
	return (allowed as readonly (string | null)[]).includes(value) ? (value as T) : fallback;
}

export type BoardQueryLimits = Readonly<{
	statuses?: readonly string[];
	tiers?: readonly string[];
	categories?: readonly string[];
}>;

/** Reads a query from a URL's search params; anything unknown or malformed is ignored. */
export function parseBoardQuery(
	params: URLSearchParams,
	limits: BoardQueryLimits = {}
): BoardQuery {
	const assignee = params.get(KEYS.assignee)?.trim() ?? '';
	return Object.freeze({
		statuses: readList(params, KEYS.statuses, limits.statuses),
		tiers: readList(params, KEYS.tiers, limits.tiers),
		categories: readList(params, KEYS.categories, limits.categories),
		grids: readList(params, KEYS.grids),
		assignee: assignee === '' ? null : assignee,
		overdue: params.get(KEYS.overdue) === '1',
		conflicts: params.get(KEYS.conflicts) === '1',
		search: [...(params.get(KEYS.search) ?? '')].slice(0, SEARCH_MAX).join(''),
		sort: oneOf(params.get(KEYS.sort), BOARD_SORTS, 'newest'),
		view: oneOf(params.get(KEYS.view), BOARD_VIEWS, 'list')
	});
}

/** The query string for `query` (without `?`), leaving out everything at its default. */
export function formatBoardQuery(query: BoardQuery): string {
	const params = new URLSearchParams();
	const list = (key: string, values: readonly string[]) => {
		if (values.length > 0) params.set(key, [...values].sort().join(','));
	};
	list(KEYS.statuses, query.statuses);
	list(KEYS.tiers, query.tiers);
	list(KEYS.categories, query.categories);
	list(KEYS.grids, query.grids);
	if (query.assignee) params.set(KEYS.assignee, query.assignee);
	if (query.overdue) params.set(KEYS.overdue, '1');
	if (query.conflicts) params.set(KEYS.conflicts, '1');
	if (query.search.trim() !== '') params.set(KEYS.search, query.search);
	if (query.sort !== 'newest') params.set(KEYS.sort, query.sort);
	if (query.view !== 'list') params.set(KEYS.view, query.view);
	// Commas are legal in a query string; unescaped, a shared link reads `status=reported,resolved`.
	return params.toString().replaceAll('%2C', ',');
}

/** True when the query narrows the board (sort and view only reorder it). */
export function isFiltered(query: BoardQuery): boolean {
	return (
		query.statuses.length > 0 ||
		query.tiers.length > 0 ||
		query.categories.length > 0 ||
		query.grids.length > 0 ||
		query.assignee !== null ||
		query.overdue ||
		query.conflicts ||
		query.search.trim() !== ''
	);
}

/**
 * Search text as compared: trimmed and lower-cased. Chinese has no case and no word breaks, so a
 * plain substring match is what people expect ("电梯" finds "3号楼电梯维修报价"); lower-casing
 * makes Latin text (building "B2", "APP") match in any case.
 */
export function normalizeSearch(text: string): string {
	return text.trim().toLowerCase();
}

/** Whether `item` contains `needle` (already normalised) in its title, description or location. */
export function matchesSearch(item: BoardCase, needle: string): boolean {
	if (needle === '') return true;
	return (
		item.title.toLowerCase().includes(needle) ||
		item.location.toLowerCase().includes(needle) ||
		(item.description?.toLowerCase().includes(needle) ?? false)
	);
}

export type BoardFilterOptions = Readonly<{
	/** Whether a case is overdue now; without it the overdue filter matches nothing. */
	isOverdue?: (item: BoardCase) => boolean;
}>;

export function matchesFilters(
	item: BoardCase,
	query: BoardQuery,
	options: BoardFilterOptions = {}
): boolean {
	if (query.statuses.length > 0 && !query.statuses.includes(item.status)) return false;
	if (query.categories.length > 0 && !query.categories.includes(item.category)) return false;
	if (query.tiers.length > 0 && (item.tier === undefined || !query.tiers.includes(item.tier))) {
		return false;
	}
	if (query.grids.length > 0 && (item.gridId === undefined || !query.grids.includes(item.gridId))) {
		return false;
	}
	const assignee = query.assignee;
	if (assignee !== null && !(item.assignees ?? []).some((e) => assigneeMatches(e, assignee))) {
		return false;
	}
	if (query.overdue && !(options.isOverdue?.(item) ?? false)) return false;
	if (query.conflicts && item.hasConflict !== true) return false;
	return true;
}

const byIdDesc = (a: BoardCase, b: BoardCase) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** Orders for every sort; each ends on the id, so the order is total. */
const COMPARATORS: Readonly<Record<BoardSort, (a: BoardCase, b: BoardCase) => number>> = {
	newest: (a, b) => b.createdAt - a.createdAt || byIdDesc(a, b),
	oldest: (a, b) => a.createdAt - b.createdAt || byIdDesc(b, a),
	updated: (a, b) => b.updatedAt - a.updatedAt || byIdDesc(a, b),
	// Soonest deadline first; cases without a deadline go last, newest first among them.
	deadline: (a, b) => {
		const da = a.deadline ?? Infinity;
		const db = b.deadline ?? Infinity;
		if (da !== db) return da < db ? -1 : 1;
		return b.createdAt - a.createdAt || byIdDesc(a, b);
	},
	priority: (a, b) =>
		priorityRank(b.priority) - priorityRank(a.priority) ||
		b.createdAt - a.createdAt ||
		byIdDesc(a, b)
};

export function sortBoard<T extends BoardCase>(items: readonly T[], sort: BoardSort): T[] {
	return [...items].sort(COMPARATORS[sort]);
}

/** The cases the board shows for `query`, in its order. */
export function applyBoardQuery<T extends BoardCase>(
	items: readonly T[],
	query: BoardQuery,
	options: BoardFilterOptions = {}
): readonly T[] {
	const needle = normalizeSearch(query.search);
	const shown = items.filter(
		(item) => matchesFilters(item, query, options) && matchesSearch(item, needle)
	);
	return Object.freeze(sortBoard(shown, query.sort));
}

export type FacetCounts = Readonly<{
	/** Cases per status among those the rest of the query leaves (the status chips). */
	statuses: ReadonlyMap<string, number>;
	/** All of those, whatever their status (the "all" chip). */
	total: number;
	/** Of those, the ones with a conflict waiting (the conflicts toggle). */
	conflicts: number;
}>;

/**
 * The counts beside a board's filters, following the search text and every other filter: each
 * status chip counts what the board would show with that status picked, and the conflicts count
 * what it would show with "has conflicts" on.
 */
export function facetCounts<T extends BoardCase>(
	items: readonly T[],
	query: BoardQuery,
	options: BoardFilterOptions = {}
): FacetCounts {
	const needle = normalizeSearch(query.search);
	const unpicked: BoardQuery = { ...query, statuses: [], conflicts: false };
	const statuses = new Map<string, number>();
	let total = 0;
	let conflicts = 0;
	for (const item of items) {
		if (!matchesFilters(item, unpicked, options) || !matchesSearch(item, needle)) continue;
		const statusPicked = query.statuses.length === 0 || query.statuses.includes(item.status);
		if (!query.conflicts || item.hasConflict === true) {
			total++;
			statuses.set(item.status, (statuses.get(item.status) ?? 0) + 1);
		}
		if (statusPicked && item.hasConflict === true) conflicts++;
	}
	return Object.freeze({ statuses, total, conflicts });
}

/** Cases grouped by status for the column view, each column in the board's order. */
export function groupByStatus<T extends BoardCase>(
	items: readonly T[],
	statuses: readonly string[]
): ReadonlyMap<string, readonly T[]> {
	const columns = new Map<string, T[]>(statuses.map((status) => [status, []]));
	for (const item of items) columns.get(item.status)?.push(item);
	return columns;
}

/** `items` with their descriptions attached (read apart, only while searching), for search. */
export function withDescriptions<T extends BoardCase>(
	items: readonly T[],
	descriptions: ReadonlyMap<string, string>
): readonly T[] {
	return items.map((item) => ({ ...item, description: descriptions.get(item.id) ?? '' }));
}
