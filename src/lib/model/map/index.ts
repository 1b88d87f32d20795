/**
 * The map aggregate's public face: a community's grid areas and buildings
 * (`c/{communityId}/map`). Commands live in commands.ts, readers in readers.ts, the Yjs layout in
 * schema.ts; everything outside model/ imports from here.
 *
 * Invariant: this module adds no behaviour of its own.
 */

export {
	addBuilding,
	addGridArea,
	deleteFeature,
	editFeatureGeometry,
	mayEditMap,
	renameBuilding,
	resolveFeatureConflict,
	setFeatureGrid,
	type AddBuildingReason,
	type AddGridAreaReason,
	type BuildingShape,
	type Changed,
	type DeleteFeatureReason,
	type EditGeometryReason,
	type MapAuthority,
	type MapContext,
	type MapGeometryReason,
	type RenameBuildingReason,
	type ResolveFeatureConflictReason,
	type SetFeatureGridReason
} from './commands';
export {
	readFeature,
	readMap,
	type FeatureSnapshot,
	type MapConflict,
	type MapSnapshot
} from './readers';
export type { FeatureKind, MapCandidate, MapField } from './schema';
