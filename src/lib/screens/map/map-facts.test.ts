import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { EMPTY_BOARD_QUERY, type BoardCase } from '$lib/domain/board-query';
import type { Building, GridArea, LngLat } from '$lib/domain/geo';
import { createCase, listCases } from '$lib/model/case';
import { caseContext, CORRIDOR_LIGHT, created, FIRE_LANE, LI } from '$lib/model/testing/fixtures';
import { boundsOf, mapFacts, type MapCase, type MapInputs } from './map-facts';

const square = (lng: number, lat: number, side = 0.01): LngLat[] => [
	[lng, lat],
	[lng + side, lat],
	[lng + side, lat + side],
	[lng, lat + side],
	[lng, lat]
];
const AREAS: GridArea[] = [
	{ featureId: 'f1', gridId: 'g1', ring: square(106.7, 26.5) },
	{ featureId: 'f2', gridId: 'g2', ring: square(106.71, 26.5) }
];
const BUILDINGS: Building[] = [
	{ featureId: 'b1', name: '1栋', point: [106.701, 26.501], ring: null, gridId: 'g1' },
	{ featureId: 'b2', name: '2栋', point: [106.711, 26.501], ring: null, gridId: 'g2' }
];

function item(id: string, gridId: string, point: LngLat | null, extra: Partial<BoardCase> = {}) {
	return {
		id,
		title: `case ${id}`,
		category: 'safety',
		location: '',
		status: 'reported',
		createdAt: 1,
		updatedAt: 1,
		gridId,
		point,
		...extra
	} satisfies MapCase;
}

function inputs(overrides: Partial<MapInputs> = {}): MapInputs {
	return {
		cases: [
			item('a', 'g1', [106.702, 26.502]),
			item('b', 'g1', null),
			item('c', 'g2', [106.712, 26.503], { status: 'in_progress' })
		],
		query: EMPTY_BOARD_QUERY,
		descriptions: null,
		isOverdue: (c) => c.id === 'c',
		areas: AREAS,
		buildings: BUILDINGS,
		gridNames: new Map([
			['g1', '第一网格'],
			['g2', '第二网格']
		]),
		gridId: null,
		...overrides
	};
}

describe('mapFacts', () => {
	it('pins every shown case with a place and counts the ones without', () => {
		const facts = mapFacts(inputs());
		expect(facts.data.cases.map((pin) => pin.caseId).sort()).toEqual(['a', 'c']);
		expect(facts.unplaced).toBe(1);
		expect(facts.shown).toBe(3);
		expect(facts.data.cases.find((pin) => pin.caseId === 'c')?.overdue).toBe(true);
		expect(facts.noBoundaries).toBe(false);
	});

	it("shows exactly the board's filtered cases: status and search from the same query", () => {
		const byStatus = mapFacts(
			inputs({ query: { ...EMPTY_BOARD_QUERY, statuses: ['in_progress'] } })
		);
		expect(byStatus.data.cases.map((pin) => pin.caseId)).toEqual(['c']);
		expect(byStatus.unplaced).toBe(0);
		const searched = mapFacts(
			inputs({
				query: { ...EMPTY_BOARD_QUERY, search: '消防' },
				descriptions: new Map([['a', '消防通道被堵']])
			})
		);
		expect(searched.data.cases.map((pin) => pin.caseId)).toEqual(['a']);
	});

	it("a grid's map draws its own area and buildings and fits them", () => {
		const facts = mapFacts(
			inputs({ gridId: 'g1', cases: inputs().cases.filter((c) => c.gridId === 'g1') })
		);
		expect(facts.data.grids.map((area) => area.gridId)).toEqual(['g1']);
		expect(facts.data.buildings.map((b) => b.name)).toEqual(['1栋']);
		expect(facts.legend).toEqual([{ gridId: 'g1', name: '第一网格', color: expect.any(String) }]);
		expect(facts.bounds?.flat().map((n) => n.toFixed(6))).toEqual([
			'106.700000',
			'26.500000',
			'106.710000',
			'26.510000'
		]);
	});

	it('with no boundaries drawn, says so and still fits the pins', () => {
		const facts = mapFacts(inputs({ areas: [], buildings: [] }));
		expect(facts.noBoundaries).toBe(true);
		expect(facts.legend).toEqual([]);
		expect(facts.bounds).toEqual([
			[106.702, 26.502],
			[106.712, 26.503]
		]);
	});

	it('nothing placed and nothing drawn: no bounds', () => {
		const facts = mapFacts(inputs({ areas: [], cases: [item('b', 'g1', null)] }));
		expect(facts.bounds).toBeNull();
		expect(facts.unplaced).toBe(1);
	});
});

describe('boundsOf', () => {
	it('widens a lone point into a small view', () => {
		const [sw, ne] = boundsOf([[106.7, 26.5]])!;
		expect(sw[0]).toBeLessThan(106.7);
		expect(ne[1]).toBeGreaterThan(26.5);
	});
});

describe("a case summary's place (listCases)", () => {
	it("parses each case's map point; an empty or bad one is null", () => {
		const doc = new Y.Doc();
		const placed = created(
			createCase(doc, { ...FIRE_LANE, mapPoint: '106.71,26.58' }, caseContext(LI, 1000))
		);
		const unplaced = created(createCase(doc, CORRIDOR_LIGHT, caseContext(LI, 2000)));
		const read = new Map(listCases(doc).map((c) => [c.id, c.point]));
		expect(read.get(placed)).toEqual([106.71, 26.58]);
		expect(read.get(unplaced)).toBeNull();
		expect(Object.isFrozen(listCases(doc))).toBe(true);
	});
});
