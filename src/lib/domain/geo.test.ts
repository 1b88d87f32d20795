import { describe, expect, it } from 'vitest';
import {
	bboxOf,
	distanceM,
	isMapGeometry,
	MAX_RING_POSITIONS,
	pointInRing,
	ringAreaM2,
	ringCentroid,
	suggestPlace,
	validateBuildingName,
	validateRing,
	type Building,
	type GridArea,
	type LngLat,
	type Ring
} from './geo';

/** A square about 100 m on a side near the demo community (116.64, 36.93). */
const D = 0.001;
const SQUARE: Ring = [
	[116.64, 36.93],
	[116.64 + D, 36.93],
	[116.64 + D, 36.93 + D],
	[116.64, 36.93 + D],
	[116.64, 36.93]
];

describe('distanceM', () => {
	it.each([
		['the same point', [116.64, 36.93], [116.64, 36.93], 0, 0],
		['0.001° of latitude', [116.64, 36.93], [116.64, 36.931], 111.2, 0.1],
		['0.001° of longitude at 36.93°N', [116.64, 36.93], [116.641, 36.93], 88.9, 0.1],
		['Beijing to Shanghai', [116.4074, 39.9042], [121.4737, 31.2304], 1067_300, 1000],
		['across the antimeridian', [179.9, 0], [-179.9, 0], 22_239, 5]
	] as [string, LngLat, LngLat, number, number][])('%s', (_, a, b, metres, tolerance) => {
		expect(Math.abs(distanceM(a, b) - metres)).toBeLessThanOrEqual(tolerance);
		expect(distanceM(b, a)).toBeCloseTo(distanceM(a, b), 6);
	});
});

describe('ringAreaM2 and ringCentroid', () => {
	it('a 0.001° square is about 111 m × 89 m, centred in its middle', () => {
		expect(ringAreaM2(SQUARE)).toBeGreaterThan(111.19 * 88.9 - 20);
		expect(ringAreaM2(SQUARE)).toBeLessThan(111.2 * 88.95 + 20);
		const [lng, lat] = ringCentroid(SQUARE);
		expect(lng).toBeCloseTo(116.6405, 6);
		expect(lat).toBeCloseTo(36.9305, 6);
	});

	it('winding does not matter; an L-shape has its centroid off the corner', () => {
		expect(ringAreaM2([...SQUARE].reverse())).toBeCloseTo(ringAreaM2(SQUARE), 6);
		const L: Ring = [
			[0, 0],
			[0.002, 0],
			[0.002, 0.001],
			[0.001, 0.001],
			[0.001, 0.002],
			[0, 0.002],
			[0, 0]
		];
		const [x, y] = ringCentroid(L);
		// Centroid of an L of three unit squares: (5/6, 5/6) units.
		expect(x).toBeCloseTo(0.002 * (5 / 12), 6);
		expect(y).toBeCloseTo(0.002 * (5 / 12), 6);
	});

	it('a flat ring has no area and its centroid is the mean of its positions', () => {
		const flat: Ring = [
			[0, 0],
			[0.002, 0],
			[0.001, 0],
			[0, 0]
		];
		expect(ringAreaM2(flat)).toBe(0);
		expect(ringCentroid(flat)[0]).toBeCloseTo(0.001, 6);
		expect(ringAreaM2([])).toBe(0);
	});
});

describe('pointInRing', () => {
	it.each([
		['the middle', [116.6405, 36.9305], true],
		['outside to the east', [116.6415, 36.9305], false],
		['outside to the north', [116.6405, 36.9315], false],
		['a vertex', [116.64, 36.93], true],
		['the far vertex', [116.641, 36.931], true],
		['on an edge', [116.6405, 36.93], true],
		['on the west edge', [116.64, 36.9305], true],
		['level with the bottom edge, outside', [116.642, 36.93], false],
		['level with a vertex, outside to the west', [116.639, 36.931], false]
	] as [string, LngLat, boolean][])('%s', (_, point, inside) => {
		expect(pointInRing(point, SQUARE)).toBe(inside);
	});

	it('a concave ring: the notch is outside, a ray through a vertex counts once', () => {
		const notch: Ring = [
			[0, 0],
			[4, 0],
			[4, 4],
			[2, 2],
			[0, 4],
			[0, 0]
		];
		expect(pointInRing([2, 3], notch)).toBe(false);
		expect(pointInRing([2, 1], notch)).toBe(true);
		expect(pointInRing([1, 2], notch)).toBe(true);
		expect(pointInRing([-1, 2], notch)).toBe(false);
	});
});

describe('bboxOf', () => {
	it('bounds a set, null for none', () => {
		expect(bboxOf(SQUARE)).toEqual([116.64, 36.93, 116.641, 36.931]);
		expect(bboxOf([[1, 2]])).toEqual([1, 2, 1, 2]);
		expect(bboxOf([])).toBeNull();
	});
});

describe('validateRing', () => {
	it('closes an open ring, drops consecutive duplicates, rounds to 7 decimals', () => {
		const result = validateRing([
			[116.64, 36.93],
			[116.64, 36.93],
			[116.641, 36.93],
			[116.641, 36.931],
			[116.640000001, 36.931]
		]);
		expect(result).toEqual({
			ok: true,
			value: [
				[116.64, 36.93],
				[116.641, 36.93],
				[116.641, 36.931],
				[116.64, 36.931],
				[116.64, 36.93]
			]
		});
	});

	it.each([
		[
			'a position out of range',
			[
				[181, 0],
				[0, 1],
				[1, 1]
			],
			'out_of_range'
		],
		['not a position', [[0, 0], 'x', [1, 1]], 'out_of_range'],
		[
			'NaN',
			[
				[0, Number.NaN],
				[1, 0],
				[1, 1]
			],
			'out_of_range'
		],
		[
			'two points',
			[
				[0, 0],
				[1, 0],
				[0, 0]
			],
			'too_few_points'
		],
		[
			'one point repeated',
			[
				[0, 0],
				[0, 0],
				[0, 0],
				[0, 0]
			],
			'too_few_points'
		],
		['nothing', [], 'too_few_points'],
		[
			'a line drawn back and forth',
			[
				[0, 0],
				[0.001, 0],
				[0.002, 0],
				[0, 0]
			],
			'degenerate'
		]
	] as [string, unknown[], string][])('refuses %s', (_, ring, reason) => {
		expect(validateRing(ring)).toEqual({ ok: false, reason });
	});

	it('refuses more than MAX_RING_POSITIONS positions', () => {
		const many = Array.from({ length: MAX_RING_POSITIONS + 1 }, (_, i): LngLat => {
			const angle = (i / (MAX_RING_POSITIONS + 1)) * 2 * Math.PI;
			return [116.64 + 0.01 * Math.cos(angle), 36.93 + 0.01 * Math.sin(angle)];
		});
		expect(validateRing(many)).toEqual({ ok: false, reason: 'too_many_points' });
		expect(validateRing(many.slice(0, MAX_RING_POSITIONS - 1)).ok).toBe(true);
	});
});

describe('isMapGeometry', () => {
	it.each([
		[{ type: 'Point', coordinates: [116.64, 36.93] }, true],
		[{ type: 'Polygon', coordinates: [SQUARE] }, true],
		[{ type: 'Point', coordinates: [116.64, 96] }, false],
		[{ type: 'Polygon', coordinates: [SQUARE.slice(0, 4)] }, false],
		[{ type: 'Polygon', coordinates: [SQUARE, SQUARE] }, false],
		[{ type: 'Polygon', coordinates: SQUARE }, false],
		[{ type: 'LineString', coordinates: SQUARE }, false],
		[{ type: 'Point', coordinates: [1, 2], extra: 1 }, false],
		[null, false],
		['116.64,36.93', false]
	])('%j → %s', (value, expected) => {
		expect(isMapGeometry(value)).toBe(expected);
	});
});

describe('validateBuildingName', () => {
	it.each([
		['  3号楼 ', { ok: true, value: '3号楼' }],
		['   ', { ok: false, reason: 'name_required' }],
		['楼'.repeat(40), { ok: true, value: '楼'.repeat(40) }],
		['楼'.repeat(41), { ok: false, reason: 'name_too_long' }]
	])('%j', (name, expected) => {
		expect(validateBuildingName(name)).toEqual(expected);
	});
});

describe('suggestPlace', () => {
	const east: Ring = SQUARE.map(([lng, lat]): LngLat => [lng + D, lat]);
	const grids: GridArea[] = [
		{ featureId: 'f-west', gridId: 'g-west', ring: SQUARE },
		{ featureId: 'f-east', gridId: 'g-east', ring: east }
	];
	const block: Ring = [
		[116.6402, 36.9302],
		[116.6404, 36.9302],
		[116.6404, 36.9304],
		[116.6402, 36.9304],
		[116.6402, 36.9302]
	];
	const buildings: Building[] = [
		{ featureId: 'b-block', name: '1号楼', point: ringCentroid(block), ring: block, gridId: null },
		{ featureId: 'b-pin', name: '2号楼', point: [116.6415, 36.9305], ring: null, gridId: null },
		{ featureId: 'b-far', name: '3号楼', point: [116.6418, 36.9305], ring: null, gridId: null }
	];

	it.each([
		['inside an outline', [116.6403, 36.9303], 'g-west', 'b-block'],
		['near a pin (about 9 m)', [116.6416, 36.9305], 'g-east', 'b-pin'],
		['between two pins, nearer the second', [116.64172, 36.9305], 'g-east', 'b-far'],
		['on the shared boundary: the first grid listed', [116.641, 36.9301], 'g-west', null],
		['far from everything', [116.65, 36.95], null, null]
	] as [string, LngLat, string | null, string | null][])('%s', (_, point, gridId, buildingId) => {
		expect(suggestPlace(point, { grids, buildings })).toEqual({ gridId, buildingId });
	});

	it('no building beyond 60 m; the smaller of two overlapping grids', () => {
		// 0.0007° of latitude ≈ 78 m north of the pin.
		expect(suggestPlace([116.6415, 36.9312], { grids, buildings }).buildingId).toBeNull();
		const small: GridArea = { featureId: 'f-small', gridId: 'g-small', ring: block };
		expect(suggestPlace([116.6403, 36.9303], { grids: [...grids, small], buildings: [] })).toEqual({
			gridId: 'g-small',
			buildingId: null
		});
	});
});
