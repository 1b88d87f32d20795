/**
 * Households on the map: placed by building id or by the building's name in their address, one
 * marker per building in its most attention-needing colour with the count; a building's page
 * lists its live households, red first, with the next visit.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { DEFAULT_VISIT_PLAN } from '$lib/domain/household';
import type { Building } from '$lib/domain/geo';
import { createHousehold, deleteHousehold, listHouseholds } from '$lib/model/household';
import { DAY, household, householdContext, T0, WANG } from '$lib/model/household/test-fixtures';
import { featureCollection } from '$lib/map/layers';
import { buildingHouseholds, householdMarkers } from './map-households';

const B3: Building = {
	featureId: 'b3',
	name: '3号楼',
	point: [120.1, 30.2],
	ring: null,
	gridId: 'g1'
};
const B5: Building = {
	featureId: 'b5',
	name: '5栋',
	point: [120.2, 30.3],
	ring: null,
	gridId: 'g2'
};

function register() {
	const doc = new Y.Doc();
	const context = householdContext(WANG, 'grid-member', T0);
	const made = (building: string, room: string, colour: 'green' | 'yellow' | 'red', extra = {}) => {
		const result = createHousehold(
			doc,
			household(building, room, { colour, colourReason: colour === 'green' ? '' : '因' }),
			context,
			extra
		);
		if (!result.ok) throw new Error(result.reason);
		return result.value;
	};
	made('3栋', '101', 'green');
	made('3栋', '102', 'yellow');
	const gone = made('3栋', '103', 'red');
	deleteHousehold(doc, gone, context);
	made('别的楼', '201', 'red', { buildingId: 'b3' });
	made('9栋', '901', 'red');
	return doc;
}

describe('household markers', () => {
	it('one marker per building: its most urgent colour and its live households counted', () => {
		const doc = register();
		const markers = householdMarkers([B3, B5], [{ gridId: 'g1', households: listHouseholds(doc) }]);
		expect(markers).toEqual([
			{ buildingId: 'b3', gridId: 'g1', colour: 'red', count: 3, point: [120.1, 30.2] }
		]);
		const features = featureCollection('households', markers).features;
		expect(features[0]?.properties).toMatchObject({ buildingId: 'b3', count: 3, color: '#c62828' });
		// A building of another grid is not matched by name.
		expect(householdMarkers([B5], [{ gridId: 'g1', households: listHouseholds(doc) }])).toEqual([]);
	});

	it("a building's page lists its live households, red first, with the next visit", () => {
		const doc = register();
		const rows = buildingHouseholds(
			B3,
			{ gridId: 'g1', households: listHouseholds(doc) },
			DEFAULT_VISIT_PLAN,
			T0 + 10 * DAY
		);
		expect(rows.map((r) => [r.household.address.room, r.household.colour, r.due.state])).toEqual([
			['201', 'red', 'overdue'],
			['102', 'yellow', 'planned'],
			['101', 'green', 'planned']
		]);
	});
});
