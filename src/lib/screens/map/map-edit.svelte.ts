/**
 * The community map's edit mode, the secretary's (docs/access.md): what the map offers this
 * member (nothing to anyone else), the grids still to outline, and every write to the map
 * document through its commands (src/lib/model/map): outline a grid, add a building (its grid
 * suggested from where it stands, `suggestPlace`), redraw, rename, move to another grid, delete
 * with an undo (the deleted feature added again from what it was), and settle a conflict.
 *
 * Invariant: the only caller of the map commands; the context is read when a command runs (a
 * role change is never stale); a refused command writes nothing and its reason is kept in
 * `refusal` for the view to say, an accepted one clears it.
 */
import {
	ringCentroid,
	suggestPlace,
	type LngLat,
	type MapGeometry,
	type PlaceSuggestion
} from '$lib/domain/geo';
import type { EditId } from '$lib/domain/ids';
import { err, ok, type Result } from '$lib/domain/result';
import {
	addBuilding,
	addGridArea,
	deleteFeature,
	editFeatureGeometry,
	mayEditMap,
	readFeature,
	renameBuilding,
	resolveFeatureConflict,
	setFeatureGrid,
	type AddBuildingReason,
	type AddGridAreaReason,
	type BuildingShape,
	type DeleteFeatureReason,
	type EditGeometryReason,
	type FeatureSnapshot,
	type MapConflict,
	type MapContext,
	type MapField,
	type MapSnapshot,
	type RenameBuildingReason,
	type ResolveFeatureConflictReason,
	type SetFeatureGridReason
} from '$lib/model/map';
import type { DocHandle } from '$lib/reactive/use-doc.svelte';

/** Why the map refused a write (each said in words by the view). */
export type MapEditReason =
	| AddGridAreaReason
	| AddBuildingReason
	| EditGeometryReason
	| RenameBuildingReason
	| SetFeatureGridReason
	| DeleteFeatureReason
	| ResolveFeatureConflictReason;

export type DirectoryGrid = Readonly<{ id: string; name: string }>;

export type { FeatureSnapshot };

/** One feature the secretary can pick to edit. */
export type EditableFeature = Readonly<{
	featureId: string;
	kind: 'grid' | 'building';
	/** The grid's name for an area, the building's name for a building. */
	label: string;
	gridId: string | null;
}>;

export type MapEditView = Readonly<{
	/** The secretary's: with false the page shows no edit control at all. */
	mayEdit: boolean;
	/** Grids of the directory with no area drawn yet (the ones a new outline may be for). */
	gridsWithoutArea: readonly DirectoryGrid[];
	features: readonly EditableFeature[];
	conflicts: readonly MapConflict[];
}>;

/** What the view shows after a delete: the feature as it was, to add again. */
export type Deleted = Readonly<{ feature: FeatureSnapshot }>;

type MapHandle = Pick<DocHandle<MapSnapshot>, 'doc' | 'snapshot'>;

export class MapEditScreen {
	readonly #map: MapHandle;
	readonly #context: () => MapContext;
	readonly #grids: () => readonly DirectoryGrid[];
	#refusal = $state<MapEditReason | null>(null);
	#deleted = $state<Deleted | null>(null);

	constructor(map: MapHandle, context: () => MapContext, grids: () => readonly DirectoryGrid[]) {
		this.#map = map;
		this.#context = context;
		this.#grids = grids;
	}

	get current(): MapEditView {
		const mayEdit = mayEditMap(this.#context());
		if (!mayEdit) return { mayEdit, gridsWithoutArea: [], features: [], conflicts: [] };
		const snapshot = this.#map.snapshot.current;
		const grids = this.#grids();
		const nameOf = (gridId: string) => grids.find((grid) => grid.id === gridId)?.name ?? gridId;
		const outlined = snapshot.grids.map((area) => area.gridId);
		return Object.freeze({
			mayEdit,
			gridsWithoutArea: grids.filter((grid) => !outlined.includes(grid.id)),
			features: [
				...snapshot.grids.map((area) => ({
					featureId: area.featureId,
					kind: 'grid' as const,
					label: nameOf(area.gridId),
					gridId: area.gridId
				})),
				...snapshot.buildings.map((building) => ({
					featureId: building.featureId,
					kind: 'building' as const,
					label: building.name,
					gridId: building.gridId
				}))
			],
			conflicts: snapshot.conflicts
		});
	}

	/** The last refusal, until the next accepted write or `dismiss()`. */
	get refusal(): MapEditReason | null {
		return this.#refusal;
	}

	/** The last deleted feature while its undo is offered. */
	get deleted(): Deleted | null {
		return this.#deleted;
	}

	dismiss(): void {
		this.#refusal = null;
		this.#deleted = null;
	}

	#settle<T, R extends MapEditReason>(result: Result<T, R>): Result<T, R> {
		this.#refusal = result.ok ? null : result.reason;
		return result;
	}

	/** A feature's values and the heads its editor passes back as `seen`. */
	feature(featureId: string): FeatureSnapshot | null {
		return readFeature(this.#map.doc, featureId);
	}

	/** Where a drawn building most likely belongs, by its pin or its outline's centre. */
	suggest(shape: BuildingShape): PlaceSuggestion {
		const point = shape.ring ? ringCentroid(shape.ring) : shape.point;
		return suggestPlace(point, this.#map.snapshot.current);
	}

	addGridArea(gridId: string, ring: readonly LngLat[]): Result<string, AddGridAreaReason> {
		return this.#settle(addGridArea(this.#map.doc, { gridId, ring }, this.#context()));
	}

	addBuilding(
		input: Readonly<{ name: string; gridId: string | null }> & BuildingShape
	): Result<string, AddBuildingReason> {
		return this.#settle(addBuilding(this.#map.doc, input, this.#context()));
	}

	/** Saves a redrawn shape over the geometry the editor opened with (`seen`). */
	saveGeometry(
		featureId: string,
		shape: BuildingShape,
		seen: readonly EditId[]
	): Result<{ changed: boolean }, EditGeometryReason> {
		const input = shape.ring ? { ring: shape.ring, seen } : { point: shape.point!, seen };
		return this.#settle(editFeatureGeometry(this.#map.doc, featureId, input, this.#context()));
	}

	rename(
		featureId: string,
		name: string,
		seen: readonly EditId[]
	): Result<{ changed: boolean }, RenameBuildingReason> {
		return this.#settle(renameBuilding(this.#map.doc, featureId, { name, seen }, this.#context()));
	}

	setGrid(
		featureId: string,
		gridId: string | null,
		seen: readonly EditId[]
	): Result<{ changed: boolean }, SetFeatureGridReason> {
		return this.#settle(
			setFeatureGrid(this.#map.doc, featureId, { gridId, seen }, this.#context())
		);
	}

	/** Deletes a feature and keeps what it was for `undoDelete`. */
	delete(featureId: string): Result<{ changed: boolean }, DeleteFeatureReason> {
		const before = this.feature(featureId);
		const result = this.#settle(deleteFeature(this.#map.doc, featureId, this.#context()));
		this.#deleted = result.ok && before ? { feature: before } : null;
		return result;
	}

	/** Adds the last deleted feature again (a new feature with its shape, name and grid). */
	undoDelete(): Result<string, AddGridAreaReason | AddBuildingReason | 'nothing_deleted'> {
		const deleted = this.#deleted;
		if (!deleted) return err('nothing_deleted');
		const { feature } = deleted;
		const shape = shapeOf(feature.geometry);
		const result =
			feature.kind === 'grid'
				? this.addGridArea(feature.gridId ?? '', shape.ring ?? [])
				: this.addBuilding({ name: feature.name, gridId: feature.gridId, ...shape });
		if (result.ok) this.#deleted = null;
		return result.ok ? ok(result.value) : result;
	}

	/** Keeps one candidate of a conflicting field. */
	resolve(
		featureId: string,
		field: MapField,
		editId: EditId
	): Result<{ changed: boolean }, ResolveFeatureConflictReason> {
		return this.#settle(
			resolveFeatureConflict(this.#map.doc, featureId, { field, editId }, this.#context())
		);
	}
}

/** A stored geometry as the shape the commands take. */
export function shapeOf(geometry: MapGeometry): BuildingShape {
	return geometry.type === 'Polygon'
		? { ring: geometry.coordinates[0] }
		: { point: geometry.coordinates };
}
