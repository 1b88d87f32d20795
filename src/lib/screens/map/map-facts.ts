/**
 * The map screens' rules, as one pure function: which cases become pins (exactly those the
 * board's filters show, from the same URL query), which grid areas and buildings are drawn (a
 * grid's map: its own; the community's: all), where the view starts (the drawn areas and pins),
 * the grids' legend, and how many shown cases have no place yet.
 *
 * Invariant: a pure function of its inputs; `pins + unplaced = shown` (every case the board
 * shows is either on the map or counted as having no place).
 */
import {
	applyBoardQuery,
	withDescriptions,
	type BoardCase,
	type BoardQuery
} from '$lib/domain/board-query';
import type { Building, GridArea, LngLat } from '$lib/domain/geo';
import { gridColor } from '$lib/map/grid-colors';
import type { HouseholdMarker, MapData, MapPin } from '$lib/map/layers';

/** A case as the map reads it: the board's summary plus its place (null: none, or bad). */
export type MapCase = BoardCase & Readonly<{ gridId: string; point: LngLat | null }>;

export type MapInputs<T extends MapCase = MapCase> = Readonly<{
	/** The cases the board lists before its filters (the community board: open ones only). */
	cases: readonly T[];
	query: BoardQuery;
	/**
	 * Case id → description while a search is typed, as the grid board searches them; null where
	 * the board searches without them (the community board).
	 */
	descriptions: ReadonlyMap<string, string> | null;
	isOverdue: (item: BoardCase) => boolean;
	areas: readonly GridArea[];
	buildings: readonly Building[];
	/** Grid id → its name in the directory. */
	gridNames: ReadonlyMap<string, string>;
	/** A grid's map; null for the whole community. */
	gridId: string | null;
	/** Buildings' household markers (only of registers this person may read); none if absent. */
	households?: readonly HouseholdMarker[];
}>;

export type LegendEntry = Readonly<{ gridId: string; name: string; color: string }>;

export type MapFacts = Readonly<{
	data: MapData;
	/** South-west and north-east corners of everything drawn, or null when nothing is. */
	bounds: readonly [LngLat, LngLat] | null;
	legend: readonly LegendEntry[];
	/** Cases the filters show. */
	shown: number;
	/** Of those, cases without a place on the map. */
	unplaced: number;
	/** No grid area is drawn for what this map covers (the secretary hasn't drawn it yet). */
	noBoundaries: boolean;
}>;

/** Half the side (degrees, about 200 m) of the view around a lone point. */
const LONE_POINT_MARGIN = 0.002;

export function boundsOf(points: Iterable<LngLat>): readonly [LngLat, LngLat] | null {
	let west = Infinity;
	let south = Infinity;
	let east = -Infinity;
	let north = -Infinity;
	for (const [lng, lat] of points) {
		west = Math.min(west, lng);
		east = Math.max(east, lng);
		south = Math.min(south, lat);
		north = Math.max(north, lat);
	}
	if (west === Infinity) return null;
	if (east - west < LONE_POINT_MARGIN && north - south < LONE_POINT_MARGIN) {
		return [
			[west - LONE_POINT_MARGIN, south - LONE_POINT_MARGIN],
			[east + LONE_POINT_MARGIN, north + LONE_POINT_MARGIN]
		];
	}
	return [
		[west, south],
		[east, north]
	];
}

export function mapFacts<T extends MapCase>(input: MapInputs<T>): MapFacts {
	const searchable =
		input.query.search.trim() === '' || !input.descriptions
			? input.cases
			: withDescriptions(input.cases, input.descriptions);
	const shown = applyBoardQuery(searchable, input.query, { isOverdue: input.isOverdue });
	const pins: MapPin[] = [];
	for (const item of shown) {
		if (!item.point) continue;
		pins.push({
			caseId: item.id,
			gridId: item.gridId,
			title: item.title,
			status: item.status,
			overdue: input.isOverdue(item),
			point: item.point
		});
	}
	const mine = <V extends { gridId: string | null }>(items: readonly V[]) =>
		input.gridId === null ? items : items.filter((item) => item.gridId === input.gridId);
	const grids = mine(input.areas);
	const buildings = mine(input.buildings);
	const legendIds = [...new Set(grids.map((area) => area.gridId))];
	const legend = legendIds
		.map((gridId) => ({
			gridId,
			name: input.gridNames.get(gridId) ?? gridId,
			color: gridColor(gridId)
		}))
		.sort((a, b) => a.name.localeCompare(b.name, 'zh-CN') || a.gridId.localeCompare(b.gridId));
	const everything = function* () {
		for (const area of grids) yield* area.ring;
		for (const pin of pins) yield pin.point;
	};
	return Object.freeze({
		data: Object.freeze({
			grids,
			buildings,
			cases: pins,
			households: mine(input.households ?? [])
		}),
		bounds: boundsOf(everything()),
		legend,
		shown: shown.length,
		unplaced: shown.length - pins.length,
		noBoundaries: grids.length === 0
	});
}
