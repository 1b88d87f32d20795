/**
 * A community laid out on a map, for the map benchmark and the map's browser tests: `grids`
 * grids side by side (a 4-wide block of squares about 400 m across, near 贵阳), five buildings
 * per grid, and `cases` cases spread over the grids, written by the app's own model commands.
 * A share of the cases carry a place (`mapPoint`) inside their grid; the rest have none. The
 * grid areas and buildings are drawn into the community's map document (`map`, the map model's
 * `addGridArea` / `addBuilding`) and come back as the map model's `readMap` reads them.
 *
 * Deterministic for the same arguments (seeded random), except the ids the commands draw.
 */
import '../../sync-server/ts-resolve.ts';
import * as Y from 'yjs';
import type { Building, GridArea, LngLat } from '../../src/lib/domain/geo.ts';

type Model = typeof import('../../src/lib/model/case/index.ts');
type Directory = typeof import('../../src/lib/model/directory/directory.ts');
const model: Model = await import('../../src/lib/model/case/index.ts');
const directory: Directory = await import('../../src/lib/model/directory/directory.ts');
const { CASE_CATEGORIES } = await import('../../src/lib/domain/case-category.ts');
const { formatMapPoint } = await import('../../src/lib/domain/geo.ts');
type MapModel = typeof import('../../src/lib/model/map/index.ts');
const mapModel: MapModel = await import('../../src/lib/model/map/index.ts');

const DAY = 86_400_000;
const ORIGIN: LngLat = [106.7, 26.58];
/** A grid's side in degrees (about 400 m). */
const SIDE = 0.004;
const TITLES = ['楼道灯不亮', '电动车堵塞消防通道', '窗口飞线充电', '垃圾清运不及时', '电梯停运'];
const SECRETARY = { name: '李书记', deviceId: 'seed-secretary' };

export type SeededMap = Readonly<{
	directory: Uint8Array;
	/** The map document (`c/{communityId}/map`): every grid's area and its buildings. */
	map: Uint8Array;
	boards: readonly Readonly<{ gridId: string; update: Uint8Array }>[];
	grids: readonly Readonly<{ id: string; name: string }>[];
	areas: readonly GridArea[];
	buildings: readonly Building[];
	/** Per grid: its cases' ids and places (null: none). */
	cases: readonly Readonly<{
		id: string;
		gridId: string;
		title: string;
		status: string;
		point: LngLat | null;
	}>[];
}>;

export type SeedOptions = Readonly<{
	communityId: string;
	grids: number;
	cases: number;
	/** Share of cases with a place, 0–1. */
	placed: number;
	/** Some cases are resolved (they leave the community board); false keeps every case open. */
	resolveSome?: boolean;
	now?: number;
}>;

export function seedMap(options: SeedOptions): SeededMap {
	const now = options.now ?? Date.now();
	let seed = 7;
	const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
	const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

	const dirDoc = new Y.Doc();
	const grids = Array.from({ length: options.grids }, (_, g) => {
		const added = directory.addGrid(
			dirDoc,
			{ name: `第${g + 1}网格` },
			{ actor: SECRETARY, authority: { claims: { role: 'secretary' } }, at: now - 200 * DAY }
		);
		if (!added.ok) throw new Error(added.reason);
		return { id: added.value as string, name: `第${g + 1}网格` };
	});
	const corner = (g: number): LngLat => [
		ORIGIN[0] + (g % 4) * SIDE,
		ORIGIN[1] - Math.floor(g / 4) * SIDE
	];
	const square = ([lng, lat]: LngLat, side: number): LngLat[] => [
		[lng, lat],
		[lng + side, lat],
		[lng + side, lat + side],
		[lng, lat + side],
		[lng, lat]
	];
	const inside = (g: number): LngLat => {
		const [lng, lat] = corner(g);
		return [lng + (0.05 + 0.9 * random()) * SIDE, lat + (0.05 + 0.9 * random()) * SIDE];
	};
	const mapDoc = new Y.Doc();
	const drawer = {
		actor: SECRETARY,
		authority: { claims: { role: 'secretary' } },
		at: now - 150 * DAY
	} as const;
	grids.forEach((grid, g) => {
		const area = mapModel.addGridArea(
			mapDoc,
			{ gridId: grid.id, ring: square(corner(g), SIDE) },
			drawer
		);
		if (!area.ok) throw new Error(area.reason);
		for (let b = 0; b < 5; b++) {
			const [lng, lat] = inside(g);
			const building = mapModel.addBuilding(
				mapDoc,
				{
					name: `${g + 1}区${b + 1}栋`,
					gridId: grid.id,
					ring: square([lng - 0.0002, lat - 0.0001], 0.0003)
				},
				drawer
			);
			if (!building.ok) throw new Error(building.reason);
		}
	});
	const drawn = mapModel.readMap(mapDoc);
	const areas: readonly GridArea[] = drawn.grids;
	const buildings: readonly Building[] = drawn.buildings;

	const cases: SeededMap['cases'][number][] = [];
	const boards = grids.map((grid, g) => {
		const doc = new Y.Doc();
		const authority = {
			claims: { cid: options.communityId, role: 'secretary', grids: [] as string[] },
			memberId: '',
			gridId: grid.id
		} as never;
		const share = Math.floor(options.cases / grids.length);
		const count = share + (g < options.cases % grids.length ? 1 : 0);
		for (let i = 0; i < count; i++) {
			const at = Math.round(now - random() * 60 * DAY);
			const point = random() < options.placed ? inside(g) : null;
			const title = `${pick(TITLES)} ${g + 1}-${i + 1}`;
			const created = model.createCase(
				doc,
				{
					title,
					description: '居民反映多日未修，请尽快安排处理。',
					category: pick(CASE_CATEGORIES),
					location: `${g + 1}区${1 + (i % 5)}栋`,
					mapPoint: point ? formatMapPoint(point) : ''
				},
				{ actor: SECRETARY, authority, at }
			);
			if (!created.ok) throw new Error(created.reason);
			const r = random();
			const later = (days: number) => ({ actor: SECRETARY, authority, at: at + days * DAY });
			if (r > 0.4) model.applyCaseStatusAction(doc, created.value, 'accept', {}, later(1));
			if (r > 0.6) model.applyCaseStatusAction(doc, created.value, 'start', {}, later(2));
			if (r > 0.85 && options.resolveSome !== false)
				model.applyCaseStatusAction(doc, created.value, 'resolve', {}, later(3));
			const stored = model.readCase(doc, created.value)?.fields;
			cases.push({
				id: created.value,
				gridId: grid.id,
				title,
				status: stored?.status.value ?? '',
				point: point && stored?.mapPoint.value ? point : null
			});
		}
		return { gridId: grid.id, update: Y.encodeStateAsUpdate(doc) };
	});
	return {
		directory: Y.encodeStateAsUpdate(dirDoc),
		map: Y.encodeStateAsUpdate(mapDoc),
		boards,
		grids,
		areas,
		buildings,
		cases
	};
}
