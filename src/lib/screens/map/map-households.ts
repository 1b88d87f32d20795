/**
 * Households on the map (issue 18): each live household placed at a building of the map
 * document, by its `buildingId`, else by its address's building named like a drawn building of
 * its grid ("3号楼" and "3栋" are one), grouped into one marker per building in the colour of its
 * most attention-needing household, with the count; and a building's households for its page,
 * with each one's next visit.
 *
 * Invariant: pure; it only ever sees registers the caller may read (MapScreen opens only those
 * `canReadHouseholds` allows), and a marker carries no personal data: a building, a colour, a
 * count.
 */
import { addressKey, COLOUR_RANK, visitDue, type VisitDue } from '$lib/domain/household';
import type { Building } from '$lib/domain/geo';
import { isValidIdSegment } from '$lib/domain/ids';
import type { VisitPlanDefaults } from '$lib/domain/household';
import { intervalOf, type HouseholdSummary } from '$lib/model/household';
import type { HouseholdMarker } from '$lib/map/layers';

/** One grid's register as read on this device. */
export type HouseholdRegister = Readonly<{
	gridId: string;
	households: readonly HouseholdSummary[];
}>;

/** A building page's address segment as a feature id, or null when it cannot be one. */
export const parseBuildingId = (segment: string): string | null =>
	isValidIdSegment(segment) ? segment : null;

const nameKey = (name: string) => addressKey({ compound: '', building: name, unit: '', room: '' });

/** The drawn building a household is in, or null. */
export function buildingOf(
	household: HouseholdSummary,
	gridId: string,
	buildings: readonly Building[]
): Building | null {
	if (household.buildingId !== '') {
		const byId = buildings.find((b) => b.featureId === household.buildingId);
		if (byId) return byId;
	}
	const own = buildings.filter((b) => b.gridId === gridId || b.gridId === null);
	const wanted = [
		nameKey(household.address.building),
		nameKey(`${household.address.compound}${household.address.building}`)
	];
	return own.find((b) => b.name !== '' && wanted.includes(nameKey(b.name))) ?? null;
}

/** One marker per building that holds live households. */
export function householdMarkers(
	buildings: readonly Building[],
	registers: readonly HouseholdRegister[]
): HouseholdMarker[] {
	const markers = new Map<string, HouseholdMarker>();
	for (const { gridId, households } of registers) {
		for (const household of households) {
			if (household.deleted) continue;
			const building = buildingOf(household, gridId, buildings);
			if (!building) continue;
			const key = `${gridId}/${building.featureId}`;
			const before = markers.get(key);
			const colour =
				before && COLOUR_RANK[before.colour] < COLOUR_RANK[household.colour]
					? before.colour
					: household.colour;
			markers.set(key, {
				buildingId: building.featureId,
				gridId,
				colour,
				count: (before?.count ?? 0) + 1,
				point: building.point
			});
		}
	}
	return [...markers.values()];
}

export type BuildingHousehold = Readonly<{
	household: HouseholdSummary;
	due: VisitDue;
}>;

/** A building's live households, most attention-needing first, then by address. */
export function buildingHouseholds(
	building: Building,
	register: HouseholdRegister,
	plan: VisitPlanDefaults,
	now: number
): BuildingHousehold[] {
	return register.households
		.filter((h) => !h.deleted && buildingOf(h, register.gridId, [building]) !== null)
		.map((household) => ({
			household,
			due: visitDue(
				{
					lastVisitAt: household.lastVisitAt,
					since: household.colourSince,
					intervalDays: intervalOf(household, plan)
				},
				now
			)
		}))
		.sort((a, b) => COLOUR_RANK[a.household.colour] - COLOUR_RANK[b.household.colour]);
}
