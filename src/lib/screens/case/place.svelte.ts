/**
 * The "Place" control of the case form: where a case is, set by a tap on the map picker, by the
 * phone's position (the Geolocation API) or by picking one of the map's buildings, never typed.
 * From the point it suggests the building and the grid (`suggestPlace`, domain/geo.ts): the
 * building's name fills the location text when that is empty, and a point in another grid is
 * said (with the other grid's name), never moved there silently.
 *
 * Invariant: the form's `mapPoint` is always "" or `formatMapPoint` of `point` (the case's stored
 * "lng,lat"); a location the person typed is never overwritten; a position that arrives after
 * the person placed the case some other way is dropped (the latest choice wins).
 */
import {
	bboxOf,
	formatMapPoint,
	parseMapPoint,
	suggestPlace,
	type Building,
	type GridArea,
	type LngLat
} from '$lib/domain/geo';
import { directoryDocName, type CommunityId } from '$lib/domain/ids';
import { readDirectory } from '$lib/model/directory';
import { useCommunityMap } from '$lib/reactive/community-map.svelte';
import { useDoc } from '$lib/reactive/use-doc.svelte';

/** How long the phone may look for a position before "no fix in time" (GPS cold start ≈ 10 s). */
export const LOCATE_TIMEOUT_MS = 15_000;

export type LocateFailure = 'denied' | 'unavailable' | 'timeout' | 'unsupported';
export type LocateOutcome =
	| Readonly<{ ok: true; point: LngLat; accuracyM: number }>
	| Readonly<{ ok: false; reason: LocateFailure }>;

/** The part of `navigator.geolocation` used here (tests pass a fake). */
export type GeolocationLike = Pick<Geolocation, 'getCurrentPosition'>;

/** The GeolocationPositionError codes (the constants are not on every runtime). */
const FAILURE_BY_CODE: Readonly<Record<number, LocateFailure>> = {
	1: 'denied',
	2: 'unavailable',
	3: 'timeout'
};

/**
 * One position from the phone, high accuracy, at most `timeoutMs` looking (a fix up to 10 s old
 * is taken). A browser that never answers (a permission prompt left open) ends as 'timeout'
 * after twice that.
 */
export function locate(
	geolocation: GeolocationLike | undefined | null,
	timeoutMs = LOCATE_TIMEOUT_MS
): Promise<LocateOutcome> {
	if (!geolocation || typeof geolocation.getCurrentPosition !== 'function') {
		return Promise.resolve({ ok: false, reason: 'unsupported' });
	}
	return new Promise((resolve) => {
		let done = false;
		const finish = (outcome: LocateOutcome) => {
			if (done) return;
			done = true;
			clearTimeout(guard);
			resolve(outcome);
		};
		const guard = setTimeout(() => finish({ ok: false, reason: 'timeout' }), timeoutMs * 2);
		try {
			geolocation.getCurrentPosition(
				(position) => {
					const point: LngLat = [position.coords.longitude, position.coords.latitude];
					finish({ ok: true, point, accuracyM: position.coords.accuracy });
				},
				(error) => finish({ ok: false, reason: FAILURE_BY_CODE[error.code] ?? 'unavailable' }),
				{ enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 10_000 }
			);
		} catch {
			// Some embedded browsers throw instead of calling back (no permission policy).
			finish({ ok: false, reason: 'unsupported' });
		}
	});
}

export type PlaceFeatures = Readonly<{
	grids: readonly GridArea[];
	buildings: readonly Building[];
}>;

export type PlaceInputs = Readonly<{
	features: PlaceFeatures;
	/** The grid whose board the form is on. */
	gridId: string;
	/** Grid names by id (the directory's), for "this point is in 第三网格". */
	gridNames: Readonly<Record<string, string>>;
}>;

/** What a new point changes in the form. */
export type PlaceChange = Readonly<{ mapPoint: string; location: string }>;

export type PlaceSource = 'stored' | 'map' | 'location' | 'building';

export type PlaceFacts = Readonly<{
	point: LngLat | null;
	/** The point as stored ("lng,lat"), '' when none. */
	mapPoint: string;
	source: PlaceSource | null;
	/** The reported accuracy of a position from the phone, whole metres; null otherwise. */
	accuracyM: number | null;
	building: Building | null;
	/** The grid the point is in when that is not the form's grid (null: same, or unknown). */
	otherGrid: Readonly<{ id: string; name: string }> | null;
}>;

/** The most buildings the pick list shows at once (type to narrow it). */
export const BUILDING_LIST_MAX = 50;

/** Buildings whose name holds every word of `query` (case-insensitive), by name. */
export function matchBuildings(buildings: readonly Building[], query: string): Building[] {
	const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
	return buildings
		.filter((b) => words.every((word) => b.name.toLowerCase().includes(word)))
		.sort((a, b) => a.name.localeCompare(b.name, 'zh-CN', { numeric: true }));
}

export class PlaceControl {
	readonly #inputs: () => PlaceInputs;
	readonly #location: () => string;
	readonly #apply: (change: PlaceChange) => void;
	readonly #geolocation: () => GeolocationLike | undefined | null;
	/** Bumped by every choice, so a late position from an earlier "use my location" is dropped. */
	#choice = 0;

	point = $state<LngLat | null>(null);
	source = $state<PlaceSource | null>(null);
	accuracyM = $state<number | null>(null);
	/** The building picked from the list (it wins over the suggestion). */
	pickedBuildingId = $state<string | null>(null);
	locating = $state(false);
	failure = $state<LocateFailure | null>(null);
	query = $state('');

	/**
	 * `mapPoint` is the form's stored value when it opens; `location` reads the form's location
	 * text and `apply` writes a new point (and location) into the form.
	 */
	constructor(options: {
		mapPoint: string;
		inputs: () => PlaceInputs;
		location: () => string;
		apply: (change: PlaceChange) => void;
		geolocation?: () => GeolocationLike | undefined | null;
	}) {
		this.#inputs = options.inputs;
		this.#location = options.location;
		this.#apply = options.apply;
		this.#geolocation = options.geolocation ?? (() => globalThis.navigator?.geolocation);
		const stored = parseMapPoint(options.mapPoint);
		if (stored) {
			this.point = stored;
			this.source = 'stored';
		}
	}

	readonly #facts = $derived.by((): PlaceFacts => {
		const point = this.point;
		const inputs = this.#inputs();
		if (!point) {
			return {
				point: null,
				mapPoint: '',
				source: null,
				accuracyM: null,
				building: null,
				otherGrid: null
			};
		}
		const suggested = suggestPlace(point, inputs.features);
		const byId = (id: string | null) =>
			id === null ? null : (inputs.features.buildings.find((b) => b.featureId === id) ?? null);
		const building = byId(this.pickedBuildingId) ?? byId(suggested.buildingId);
		const gridId = suggested.gridId ?? building?.gridId ?? null;
		const otherGrid =
			gridId !== null && gridId !== inputs.gridId
				? { id: gridId, name: inputs.gridNames[gridId] ?? gridId }
				: null;
		return {
			point,
			mapPoint: formatMapPoint(point),
			source: this.source,
			accuracyM: this.source === 'location' ? this.accuracyM : null,
			building,
			otherGrid
		};
	});

	get current(): PlaceFacts {
		return this.#facts;
	}

	/** The buildings the pick list shows for the typed query. */
	get buildings(): Building[] {
		return matchBuildings(this.#inputs().features.buildings, this.query).slice(
			0,
			BUILDING_LIST_MAX
		);
	}

	/** Whether the map has buildings at all (the list's empty state). */
	get hasBuildings(): boolean {
		return this.#inputs().features.buildings.length > 0;
	}

	/** A tap on the map picker (again: the point moves). */
	pickOnMap(point: LngLat): void {
		this.#choice++;
		this.#place(point, 'map', null, null);
	}

	pickBuilding(featureId: string): void {
		const building = this.#inputs().features.buildings.find((b) => b.featureId === featureId);
		if (!building) return;
		this.#choice++;
		this.#place(building.point, 'building', null, building.featureId);
	}

	/** Asks the phone where it is; resolves once placed or refused (the outcome is in `failure`). */
	async useMyLocation(): Promise<void> {
		const choice = ++this.#choice;
		this.locating = true;
		this.failure = null;
		const outcome = await locate(this.#geolocation());
		if (choice !== this.#choice) return;
		this.locating = false;
		if (outcome.ok) this.#place(outcome.point, 'location', outcome.accuracyM, null);
		else this.failure = outcome.reason;
	}

	/** Takes the case off the map (the location text stays). */
	clear(): void {
		this.#choice++;
		this.locating = false;
		this.failure = null;
		this.point = null;
		this.source = null;
		this.accuracyM = null;
		this.pickedBuildingId = null;
		this.#apply({ mapPoint: '', location: this.#location() });
	}

	#place(
		point: LngLat,
		source: PlaceSource,
		accuracyM: number | null,
		buildingId: string | null
	): void {
		this.locating = false;
		this.failure = null;
		this.point = point;
		this.source = source;
		this.accuracyM = accuracyM === null ? null : Math.max(1, Math.round(accuracyM));
		this.pickedBuildingId = buildingId;
		const typed = this.#location();
		const name = this.current.building?.name ?? '';
		this.#apply({
			mapPoint: formatMapPoint(point),
			location: typed.trim() === '' && name !== '' ? name : typed
		});
	}
}

/**
 * The control's inputs for a form on `gridId`'s board: the community's map document and the
 * directory's grid names, open for the calling component's lifetime (call during its init).
 */
export function placeInputs(communityId: CommunityId, gridId: string): () => PlaceInputs {
	const map = useCommunityMap(communityId);
	const directory = useDoc(directoryDocName(communityId), readDirectory);
	const gridNames = $derived(
		Object.fromEntries(directory.snapshot.current.grids.map((grid) => [grid.id, grid.name]))
	);
	return () => ({ features: map.snapshot.current, gridId, gridNames });
}

/** Half the span the picker shows around a point already placed (about 250 × 220 m). */
const AROUND: LngLat = [0.0015, 0.001];

/**
 * Where the map picker opens: around the point when there is one, else the form's grid's area,
 * else everything drawn; null when nothing is (the map then starts on the whole world).
 */
export function pickerBounds(
	point: LngLat | null,
	inputs: PlaceInputs
): readonly [LngLat, LngLat] | null {
	if (point) {
		return [
			[point[0] - AROUND[0], point[1] - AROUND[1]],
			[point[0] + AROUND[0], point[1] + AROUND[1]]
		];
	}
	const own = inputs.features.grids.filter((grid) => grid.gridId === inputs.gridId);
	const rings = (own.length > 0 ? own : inputs.features.grids).map((grid) => grid.ring);
	const box = bboxOf([
		...rings.flat(),
		...(own.length > 0 ? [] : inputs.features.buildings.map((b) => b.point))
	]);
	return box
		? [
				[box[0], box[1]],
				[box[2], box[3]]
			]
		: null;
}
