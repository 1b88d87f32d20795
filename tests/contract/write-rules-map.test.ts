/**
 * Contract: what the app's map commands write passes the relay's map rules for the secretary,
 * and the same writes forged by a grid member or a volunteer, or anything that changes or
 * removes what is there, are refused (src/lib/wire/write-rules-map.ts, sync-server/write-guard.ts).
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Actor } from '../../src/lib/domain/actor';
import type { LngLat } from '../../src/lib/domain/geo';
import {
	addBuilding,
	addGridArea,
	deleteFeature,
	editFeatureGeometry,
	readMap,
	renameBuilding,
	resolveFeatureConflict,
	setFeatureGrid,
	type MapContext
} from '../../src/lib/model/map';
import type { Writer } from '../../src/lib/wire';
import { MAP_RULES } from '../../src/lib/wire/write-rules-map';
import { checkUpdate } from '../../sync-server/write-guard';

const TARGET = { kind: 'map', id: null } as const;
const LI: Actor = { name: '李书记', deviceId: 'phone-li' };
const WANG: Actor = { name: '王网格员', deviceId: 'phone-wang' };
const ZHAO: Actor = { name: '赵志愿者', deviceId: 'phone-zhao' };
const writers = {
	secretary: { memberId: 'm-secretary', name: LI.name, role: 'secretary', grids: [] },
	gridMember: { memberId: 'm-grid', name: WANG.name, role: 'grid-member', grids: ['g1'] },
	volunteer: { memberId: 'm-volunteer', name: ZHAO.name, role: 'volunteer', grids: [] }
} satisfies Record<string, Writer>;

/** The command context a phone writes with (commands check the role; forgers lie about it). */
const as = (actor: Actor, at: number): MapContext => ({
	actor,
	authority: { claims: { role: 'secretary' } },
	at
});

const RING: LngLat[] = [
	[116.64, 36.93],
	[116.641, 36.93],
	[116.641, 36.931],
	[116.64, 36.931],
	[116.64, 36.93]
];

/** The relay's copy; each write runs on a fresh phone holding what the relay holds. */
function setup() {
	const relay = new Y.Doc();
	return {
		relay,
		/** Runs `fn(phone)`; returns the verdict for `writer` and applies the update when accepted. */
		write(writer: Writer, fn: (phone: Y.Doc) => void) {
			const phone = new Y.Doc();
			Y.applyUpdate(phone, Y.encodeStateAsUpdate(relay));
			const before = Y.encodeStateVector(relay);
			fn(phone);
			const update = Y.encodeStateAsUpdate(phone, before);
			const verdict = checkUpdate(relay, Y.decodeUpdate(update), MAP_RULES, writer, TARGET);
			if (verdict.ok) Y.applyUpdate(relay, update);
			return verdict;
		}
	};
}

function must<T>(result: { ok: true; value: T } | { ok: false; reason: string }): T {
	if (!result.ok) throw new Error(`refused: ${result.reason}`);
	return result.value;
}

describe('map write rules', () => {
	it('accept every command the secretary runs', () => {
		const { relay, write } = setup();
		let area = '';
		let building = '';
		const accepted = (fn: (phone: Y.Doc) => void) =>
			expect(write(writers.secretary, fn)).toEqual({
				ok: true,
				unattested: expect.any(Map)
			});
		accepted((phone) => {
			area = must(addGridArea(phone, { gridId: 'g1', ring: RING }, as(LI, 1)));
		});
		accepted((phone) => {
			building = must(
				addBuilding(phone, { name: '1号楼', point: [116.6405, 36.9305], gridId: 'g1' }, as(LI, 2))
			);
		});
		accepted((phone) => {
			must(addBuilding(phone, { name: '2号楼', ring: RING, gridId: null }, as(LI, 3)));
		});
		accepted((phone) => {
			must(
				editFeatureGeometry(phone, area, { ring: RING.map(([x, y]) => [x, y + 0.001]) }, as(LI, 4))
			);
		});
		accepted((phone) => {
			must(editFeatureGeometry(phone, building, { ring: RING }, as(LI, 5)));
		});
		accepted((phone) => {
			must(renameBuilding(phone, building, { name: '一号楼' }, as(LI, 6)));
		});
		accepted((phone) => {
			must(setFeatureGrid(phone, building, { gridId: null }, as(LI, 7)));
		});
		// Two offline renames make a conflict; settling it passes too.
		const seen = Y.encodeStateAsUpdate(relay);
		accepted((phone) => {
			must(renameBuilding(phone, building, { name: '甲楼' }, as(LI, 8)));
		});
		accepted((phone) => {
			const offline = new Y.Doc();
			Y.applyUpdate(offline, seen);
			must(renameBuilding(offline, building, { name: '乙楼' }, as(LI, 9)));
			Y.applyUpdate(phone, Y.encodeStateAsUpdate(offline));
		});
		accepted((phone) => {
			const conflict = readMap(phone).conflicts[0]!;
			must(
				resolveFeatureConflict(
					phone,
					building,
					{ field: 'name', editId: conflict.values[1]!.editId },
					as(LI, 10)
				)
			);
		});
		accepted((phone) => {
			must(deleteFeature(phone, building, as(LI, 11)));
		});
		expect(readMap(relay).buildings.map((b) => b.name)).toEqual(['2号楼']);
		expect(readMap(relay).conflicts).toEqual([]);
	});

	it('accept two secretaries deleting one feature offline: the second tombstone is no loss', () => {
		const { relay, write } = setup();
		let id = '';
		write(writers.secretary, (phone) => {
			id = must(
				addBuilding(phone, { name: '1号楼', point: [116.64, 36.93], gridId: null }, as(LI, 1))
			);
		});
		const seen = Y.encodeStateAsUpdate(relay);
		const offline = (actor: Actor, at: number) => (phone: Y.Doc) => {
			const own = new Y.Doc();
			Y.applyUpdate(own, seen);
			must(deleteFeature(own, id, as(actor, at)));
			must(
				addBuilding(
					own,
					{ name: `${at}号楼`, point: [116.641, 36.93], gridId: null },
					as(actor, at)
				)
			);
			Y.applyUpdate(phone, Y.encodeStateAsUpdate(own));
		};
		const chen = { ...writers.secretary, memberId: 'm-chen', name: '陈书记' };
		expect(write(writers.secretary, offline(LI, 2)).ok).toBe(true);
		// Refusing this would refuse everything else the second phone did offline, for good.
		expect(write(chen, offline({ name: chen.name, deviceId: 'pad-chen' }, 3)).ok).toBe(true);
		expect(readMap(relay).buildings.map((b) => b.name)).toEqual(['2号楼', '3号楼']);
	});

	it('refuse features and edits forged by a grid member or a volunteer', () => {
		const { write } = setup();
		let area = '';
		write(writers.secretary, (phone) => {
			area = must(addGridArea(phone, { gridId: 'g1', ring: RING }, as(LI, 1)));
		});
		for (const [writer, actor] of [
			[writers.gridMember, WANG],
			[writers.volunteer, ZHAO]
		] as const) {
			expect(
				write(writer, (phone) => {
					must(
						addBuilding(
							phone,
							{ name: '我家楼', point: [116.64, 36.93], gridId: null },
							as(actor, 2)
						)
					);
				})
			).toMatchObject({ ok: false, reason: 'not_permitted' });
			expect(
				write(writer, (phone) => {
					must(
						editFeatureGeometry(
							phone,
							area,
							{ ring: RING.map(([x, y]) => [x + 0.001, y]) },
							as(actor, 3)
						)
					);
				})
			).toMatchObject({ ok: false, reason: 'not_permitted' });
			expect(
				write(writer, (phone) => {
					must(deleteFeature(phone, area, as(actor, 4)));
				})
			).toMatchObject({ ok: false, reason: 'not_permitted' });
		}
	});

	it('refuse overwriting, deleting, another author and bad geometry, even from the secretary', () => {
		const { write } = setup();
		let area = '';
		write(writers.secretary, (phone) => {
			area = must(addGridArea(phone, { gridId: 'g1', ring: RING }, as(LI, 1)));
		});
		const feature = (phone: Y.Doc) => phone.getMap('features').get(area) as Y.Map<unknown>;
		const refused = (reason: string, fn: (phone: Y.Doc) => void) =>
			expect(write(writers.secretary, fn)).toMatchObject({ ok: false, reason });

		refused('history', (phone) => feature(phone).set('createdBy', LI.name));
		refused('history', (phone) =>
			(feature(phone).get('geometry') as Y.Array<unknown>).delete(0, 1)
		);
		refused('history', (phone) => phone.getMap('features').delete(area));
		refused('author', (phone) => {
			must(
				editFeatureGeometry(
					phone,
					area,
					{ ring: RING.map(([x, y]) => [x, y + 0.002]) },
					as(WANG, 4)
				)
			);
		});
		refused('author', (phone) => {
			must(deleteFeature(phone, area, as(WANG, 5)));
		});
		const edit = (value: unknown) => ({
			id: 'e1',
			value,
			bases: [],
			by: LI.name,
			deviceId: 'd',
			at: 6
		});
		for (const bad of [
			{ type: 'Polygon', coordinates: [RING.slice(0, 4)] }, // not closed
			{
				type: 'Polygon',
				coordinates: [
					[
						[0, 0],
						[1, 0],
						[0, 0]
					]
				]
			}, // too few
			{ type: 'Point', coordinates: [116.64, 91] }, // out of range
			{ type: 'Polygon', coordinates: [Array.from({ length: 1001 }, () => [0, 0])] }, // too big
			{ type: 'LineString', coordinates: RING },
			'116.64,36.93'
		]) {
			refused('shape', (phone) =>
				(feature(phone).get('geometry') as Y.Array<unknown>).push([edit(bad)])
			);
		}
		refused('shape', (phone) =>
			(feature(phone).get('name') as Y.Array<unknown>).push([edit('楼'.repeat(41))])
		);
		refused('shape', (phone) =>
			(feature(phone).get('gridId') as Y.Array<unknown>).push([edit('G 1')])
		);
		refused('shape', (phone) => feature(phone).set('colour', 'red'));
		refused('shape', (phone) => phone.getMap('elsewhere').set('x', 1));
		// The tombstone names its writer too, also when set again.
		write(writers.secretary, (phone) => must(deleteFeature(phone, area, as(LI, 9))));
		refused('author', (phone) => feature(phone).set('deletedBy', WANG.name));
	});
});
