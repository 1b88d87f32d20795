import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Building, GridArea, LngLat } from '$lib/domain/geo';
import {
	LOCATE_TIMEOUT_MS,
	PlaceControl,
	locate,
	matchBuildings,
	pickerBounds,
	type GeolocationLike,
	type PlaceChange,
	type PlaceInputs
} from './place.svelte';

const square = (west: number, south: number, size = 0.004): GridArea['ring'] => [
	[west, south],
	[west + size, south],
	[west + size, south + size],
	[west, south + size],
	[west, south]
];
const GRIDS: GridArea[] = [
	{ featureId: 'fa', gridId: 'g1', ring: square(116.64, 36.93) },
	{ featureId: 'fb', gridId: 'g3', ring: square(116.644, 36.93) }
];
const BUILDINGS: Building[] = [
	{ featureId: 'b1', name: '幸福里3号楼', point: [116.641, 36.931], ring: null, gridId: 'g1' },
	{ featureId: 'b2', name: '幸福里12号楼', point: [116.642, 36.932], ring: null, gridId: 'g1' },
	{ featureId: 'b3', name: '和平苑1号楼', point: [116.645, 36.931], ring: null, gridId: 'g3' }
];
const INPUTS: PlaceInputs = {
	features: { grids: GRIDS, buildings: BUILDINGS },
	gridId: 'g1',
	gridNames: { g1: '第一网格', g3: '第三网格' }
};

type Callbacks = {
	success: PositionCallback;
	error: PositionErrorCallback | null | undefined;
	options: PositionOptions | undefined;
};

/** A fake `navigator.geolocation` that keeps the last request for the test to answer. */
function fakeGeolocation() {
	const calls: Callbacks[] = [];
	const geolocation: GeolocationLike = {
		getCurrentPosition(success, error, options) {
			calls.push({ success, error, options });
		}
	};
	const last = () => calls.at(-1)!;
	return {
		geolocation,
		calls,
		fix(point: LngLat, accuracy: number) {
			last().success({
				coords: { longitude: point[0], latitude: point[1], accuracy }
			} as GeolocationPosition);
		},
		fail(code: number) {
			last().error?.({ code, message: 'no' } as GeolocationPositionError);
		}
	};
}

function control(
	options: { mapPoint?: string; location?: string; geolocation?: GeolocationLike | null } = {}
) {
	const form = { mapPoint: options.mapPoint ?? '', location: options.location ?? '' };
	const changes: PlaceChange[] = [];
	const place = new PlaceControl({
		mapPoint: form.mapPoint,
		inputs: () => INPUTS,
		location: () => form.location,
		apply: (change) => {
			changes.push(change);
			Object.assign(form, change);
		},
		geolocation: () => options.geolocation ?? null
	});
	return { place, form, changes };
}

afterEach(() => {
	vi.useRealTimers();
});

describe('locate', () => {
	it('asks for a high-accuracy fix with a timeout and returns the point and accuracy', async () => {
		const fake = fakeGeolocation();
		const outcome = locate(fake.geolocation);
		expect(fake.calls[0]!.options).toMatchObject({
			enableHighAccuracy: true,
			timeout: LOCATE_TIMEOUT_MS
		});
		fake.fix([116.641, 36.931], 12.4);
		expect(await outcome).toEqual({ ok: true, point: [116.641, 36.931], accuracyM: 12.4 });
	});

	it.each([
		[1, 'denied'],
		[2, 'unavailable'],
		[3, 'timeout']
	])('error code %i is %s', async (code, reason) => {
		const fake = fakeGeolocation();
		const outcome = locate(fake.geolocation);
		fake.fail(code);
		expect(await outcome).toEqual({ ok: false, reason });
	});

	it('no Geolocation API (or one that throws) is unsupported', async () => {
		expect(await locate(undefined)).toEqual({ ok: false, reason: 'unsupported' });
		const throwing: GeolocationLike = {
			getCurrentPosition() {
				throw new Error('blocked by permissions policy');
			}
		};
		expect(await locate(throwing)).toEqual({ ok: false, reason: 'unsupported' });
	});

	it('a browser that never answers ends as a timeout', async () => {
		vi.useFakeTimers();
		const fake = fakeGeolocation();
		const outcome = locate(fake.geolocation, 1000);
		vi.advanceTimersByTime(2000);
		expect(await outcome).toEqual({ ok: false, reason: 'timeout' });
		fake.fix([116.641, 36.931], 5); // too late: ignored
	});
});

describe('PlaceControl', () => {
	it('a case with a typed point shows it, with the building and grid it is in', () => {
		const { place, changes } = control({ mapPoint: '116.641,36.931' });
		expect(place.current).toMatchObject({
			point: [116.641, 36.931],
			mapPoint: '116.641000,36.931000',
			source: 'stored',
			otherGrid: null
		});
		expect(place.current.building?.name).toBe('幸福里3号楼');
		expect(changes).toEqual([]);
	});

	it('a tap on the map stores "lng,lat", fills an empty location with the building, and moves', () => {
		const { place, form } = control();
		expect(place.current.point).toBeNull();
		place.pickOnMap([116.6410001, 36.9310002]);
		expect(form).toEqual({ mapPoint: '116.641000,36.931000', location: '幸福里3号楼' });
		expect(place.current.source).toBe('map');
		place.pickOnMap([116.6421, 36.9321]);
		expect(form.mapPoint).toBe('116.642100,36.932100');
		// The location now holds text (the first building's name): it is the person's to change.
		expect(form.location).toBe('幸福里3号楼');
		expect(place.current.building?.name).toBe('幸福里12号楼');
	});

	it('never overwrites a typed location', () => {
		const { place, form } = control({ location: '3号楼东侧车棚' });
		place.pickOnMap([116.641, 36.931]);
		expect(form.location).toBe('3号楼东侧车棚');
	});

	it('a point in another grid is said, with its name, and not moved', () => {
		const { place, form } = control();
		place.pickOnMap([116.645, 36.931]);
		expect(place.current.otherGrid).toEqual({ id: 'g3', name: '第三网格' });
		expect(form.mapPoint).toBe('116.645000,36.931000');
		place.pickOnMap([116.641, 36.931]);
		expect(place.current.otherGrid).toBeNull();
	});

	it('a point outside every drawn grid suggests nothing', () => {
		const { place, form } = control();
		place.pickOnMap([100, 30]);
		expect(place.current.building).toBeNull();
		expect(place.current.otherGrid).toBeNull();
		expect(form.location).toBe('');
	});

	it('picking a building sets its point and name; the search narrows the list', () => {
		const { place, form } = control();
		expect(place.hasBuildings).toBe(true);
		expect(place.buildings.map((b) => b.name)).toEqual([
			'和平苑1号楼',
			'幸福里3号楼',
			'幸福里12号楼'
		]);
		place.query = '幸福里 12';
		expect(place.buildings.map((b) => b.featureId)).toEqual(['b2']);
		place.pickBuilding('b2');
		expect(form).toEqual({ mapPoint: '116.642000,36.932000', location: '幸福里12号楼' });
		expect(place.current).toMatchObject({ source: 'building', otherGrid: null });
		place.pickBuilding('b3');
		expect(place.current.otherGrid?.name).toBe('第三网格');
		expect(place.current.building?.featureId).toBe('b3');
	});

	it('my location: the fix is placed with its accuracy and the building suggested', async () => {
		const fake = fakeGeolocation();
		const { place, form } = control({ geolocation: fake.geolocation });
		const done = place.useMyLocation();
		expect(place.locating).toBe(true);
		fake.fix([116.64101, 36.93101], 12.4);
		await done;
		expect(place.locating).toBe(false);
		expect(place.failure).toBeNull();
		expect(place.current).toMatchObject({ source: 'location', accuracyM: 12 });
		expect(form).toEqual({ mapPoint: '116.641010,36.931010', location: '幸福里3号楼' });
		// A tap afterwards: the accuracy belongs to the phone's fix, not to the tap.
		place.pickOnMap([116.642, 36.932]);
		expect(place.current.accuracyM).toBeNull();
	});

	it.each([
		[1, 'denied'],
		[2, 'unavailable'],
		[3, 'timeout']
	] as const)(
		'my location refused (code %i): %s is said and nothing is placed',
		async (code, reason) => {
			const fake = fakeGeolocation();
			const { place, changes } = control({ geolocation: fake.geolocation });
			const done = place.useMyLocation();
			fake.fail(code);
			await done;
			expect(place.failure).toBe(reason);
			expect(place.locating).toBe(false);
			expect(place.current.point).toBeNull();
			expect(changes).toEqual([]);
		}
	);

	it('no Geolocation API is said', async () => {
		const { place } = control({ geolocation: null });
		await place.useMyLocation();
		expect(place.failure).toBe('unsupported');
	});

	it('a fix arriving after the person tapped the map is dropped', async () => {
		const fake = fakeGeolocation();
		const { place, form } = control({ geolocation: fake.geolocation });
		const done = place.useMyLocation();
		place.pickOnMap([116.642, 36.932]);
		fake.fix([116.645, 36.931], 8);
		await done;
		expect(form.mapPoint).toBe('116.642000,36.932000');
		expect(place.current.source).toBe('map');
	});

	it('clear takes the case off the map and keeps the location text', () => {
		const { place, form } = control({ mapPoint: '116.641,36.931', location: '车棚' });
		place.clear();
		expect(form).toEqual({ mapPoint: '', location: '车棚' });
		expect(place.current.point).toBeNull();
	});
});

describe('matchBuildings and pickerBounds', () => {
	it('matches every word, case-insensitively', () => {
		const named = (name: string): Building => ({ ...BUILDINGS[0]!, featureId: name, name });
		expect(
			matchBuildings([named('Block A'), named('block b')], 'BLOCK a').map((b) => b.name)
		).toEqual(['Block A']);
	});

	it('opens around the point, else on the form grid, else on everything drawn', () => {
		expect(pickerBounds([116.641, 36.931], INPUTS)?.[0][0]).toBeCloseTo(116.6395);
		expect(pickerBounds(null, INPUTS)).toEqual([
			[116.64, 36.93],
			[116.644, 36.934]
		]);
		const elsewhere = { ...INPUTS, gridId: 'g9' };
		expect(pickerBounds(null, elsewhere)).toEqual([
			[116.64, 36.93],
			[116.644 + 0.004, 36.934]
		]);
		expect(pickerBounds(null, { ...INPUTS, features: { grids: [], buildings: [] } })).toBeNull();
	});
});
