import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Actor } from '../../domain/actor';
import type { GridId } from '../../domain/ids';
import {
	addGrid,
	deleteGrid,
	readDeletedGrids,
	readDirectory,
	renameGrid,
	restoreGrid,
	type DirectoryContext
} from './directory';
import { createReplicaNetwork } from '../testing/replica-network';

const WANG: Actor = { name: '王网格员', deviceId: 'phone-wang' };
const LI: Actor = { name: '李书记', deviceId: 'phone-li' };

/** A secretary's context (the directory is theirs to edit). */
const as = (actor: Actor, at?: number): DirectoryContext => ({
	actor,
	authority: { claims: { role: 'secretary' } },
	at
});

function two() {
	const net = createReplicaNetwork(2);
	const [a, b] = net.docs as [Y.Doc, Y.Doc];
	return { net, a, b };
}

function added(result: ReturnType<typeof addGrid>): GridId {
	if (!result.ok) throw new Error(`addGrid refused: ${result.reason}`);
	return result.value;
}

describe('directory', () => {
	it('only a secretary edits the directory; a refused command writes nothing', () => {
		const doc = new Y.Doc();
		const id = added(addGrid(doc, { name: '第一网格' }, as(LI, 1000)));
		const before = Y.encodeStateAsUpdate(doc);
		for (const role of ['grid-member', 'volunteer', 'observer', 'none']) {
			const context: DirectoryContext = { actor: WANG, authority: { claims: { role } } };
			expect(addGrid(doc, { name: '第二网格' }, context)).toEqual({
				ok: false,
				reason: 'not_permitted'
			});
			expect(renameGrid(doc, id, { name: '改名' }, context)).toEqual({
				ok: false,
				reason: 'not_permitted'
			});
			expect(deleteGrid(doc, id, context)).toEqual({ ok: false, reason: 'not_permitted' });
		}
		expect(Y.encodeStateAsUpdate(doc)).toEqual(before);
		expect(readDirectory(doc).grids.map((grid) => grid.name)).toEqual(['第一网格']);
	});

	it('addGrid validates the name and writes nothing when refused', () => {
		const doc = new Y.Doc();
		const before = Y.encodeStateVector(doc);
		expect(addGrid(doc, { name: '  ' }, as(WANG))).toEqual({ ok: false, reason: 'name_required' });
		expect(addGrid(doc, { name: '格'.repeat(41) }, as(WANG))).toEqual({
			ok: false,
			reason: 'name_too_long'
		});
		expect(Y.encodeStateVector(doc)).toEqual(before);
		expect(readDirectory(doc).grids).toEqual([]);
	});

	it('readDirectory lists grids oldest first as frozen snapshots', () => {
		const doc = new Y.Doc();
		const second = added(addGrid(doc, { name: '第二网格' }, as(WANG, 2000)));
		const first = added(addGrid(doc, { name: ' 第一网格 ' }, as(LI, 1000)));
		const snapshot = readDirectory(doc);
		expect(snapshot.grids).toMatchObject([
			{ id: first, name: '第一网格', nameConflict: null, createdAt: 1000, createdBy: LI.name },
			{ id: second, name: '第二网格', nameConflict: null, createdAt: 2000, createdBy: WANG.name }
		]);
		expect(Object.isFrozen(snapshot)).toBe(true);
		expect(Object.isFrozen(snapshot.grids)).toBe(true);
		expect(Object.isFrozen(snapshot.grids[0])).toBe(true);
	});

	it('addGrid on two replicas concurrently: both grids on both, identical snapshots', () => {
		const { net, a, b } = two();
		const ga = added(addGrid(a, { name: '育城第一网格' }, as(WANG, 1000)));
		const gb = added(addGrid(b, { name: '育城第二网格' }, as(LI, 1000)));
		net.flush({ shuffle: 1 });
		const snapshot = readDirectory(a);
		expect(readDirectory(b)).toEqual(snapshot);
		expect(new Set(snapshot.grids.map((g) => g.id))).toEqual(new Set([ga, gb]));
		expect(new Set(snapshot.grids.map((g) => g.name))).toEqual(
			new Set(['育城第一网格', '育城第二网格'])
		);
	});

	it('concurrent renames of one grid: both names visible on both replicas, nothing lost', () => {
		const { net, a, b } = two();
		const id = added(addGrid(a, { name: '第三网格' }, as(WANG, 1000)));
		net.flush();
		expect(renameGrid(a, id, { name: '第三网格（3号楼—5号楼）' }, as(WANG, 2000))).toEqual({
			ok: true,
			value: { changed: true }
		});
		expect(renameGrid(b, id, { name: '幸福里网格' }, as(LI, 2100))).toEqual({
			ok: true,
			value: { changed: true }
		});
		net.flush({ shuffle: 2 });
		const [ga] = readDirectory(a).grids;
		expect(readDirectory(b).grids).toEqual(readDirectory(a).grids);
		expect(ga?.name).toBe('幸福里网格');
		expect(ga?.nameConflict?.values.map((v) => [v.value, v.by])).toEqual([
			['幸福里网格', LI.name],
			['第三网格（3号楼—5号楼）', WANG.name]
		]);
	});

	it('picking one of the conflicting names settles it on both replicas', () => {
		const { net, a, b } = two();
		const id = added(addGrid(a, { name: '第三网格' }, as(WANG, 1000)));
		net.flush();
		renameGrid(a, id, { name: '第三网格（3号楼—5号楼）' }, as(WANG, 2000));
		renameGrid(b, id, { name: '幸福里网格' }, as(LI, 2100));
		net.flush();
		// The shown name is 幸福里网格; choosing the other one is a rename to it.
		expect(renameGrid(b, id, { name: '第三网格（3号楼—5号楼）' }, as(LI, 3000)).ok).toBe(true);
		net.flush();
		for (const doc of [a, b]) {
			expect(readDirectory(doc).grids[0]).toMatchObject({
				name: '第三网格（3号楼—5号楼）',
				nameConflict: null
			});
		}
	});

	it('picking the shown name while in conflict writes a settling edit', () => {
		const { net, a, b } = two();
		const id = added(addGrid(a, { name: '第三网格' }, as(WANG, 1000)));
		net.flush();
		renameGrid(a, id, { name: '东区网格' }, as(WANG, 2000));
		renameGrid(b, id, { name: '西区网格' }, as(LI, 2100));
		net.flush();
		expect(renameGrid(a, id, { name: '西区网格' }, as(WANG, 3000))).toEqual({
			ok: true,
			value: { changed: true }
		});
		net.flush();
		expect(readDirectory(b).grids[0]).toMatchObject({ name: '西区网格', nameConflict: null });
	});

	it('renameGrid after sync: no conflict, and renaming to the same name writes nothing', () => {
		const { net, a, b } = two();
		const id = added(addGrid(a, { name: '第三网格' }, as(WANG, 1000)));
		net.flush();
		renameGrid(b, id, { name: '第三网格（幸福里）' }, as(LI, 2000));
		net.flush();
		renameGrid(a, id, { name: '第三网格（幸福里小区）' }, as(WANG, 3000));
		net.flush();
		for (const doc of [a, b]) {
			expect(readDirectory(doc).grids[0]).toMatchObject({
				name: '第三网格（幸福里小区）',
				nameConflict: null
			});
		}
		const before = Y.encodeStateVector(a);
		expect(renameGrid(a, id, { name: ' 第三网格（幸福里小区） ' }, as(WANG, 4000))).toEqual({
			ok: true,
			value: { changed: false }
		});
		expect(Y.encodeStateVector(a)).toEqual(before);
	});

	it('renameGrid refuses unknown grids and bad names without writing', () => {
		const doc = new Y.Doc();
		const id = added(addGrid(doc, { name: '第三网格' }, as(WANG, 1000)));
		const before = Y.encodeStateVector(doc);
		expect(renameGrid(doc, 'nope' as GridId, { name: '新名' }, as(WANG))).toEqual({
			ok: false,
			reason: 'grid_not_found'
		});
		expect(renameGrid(doc, id, { name: '' }, as(WANG))).toEqual({
			ok: false,
			reason: 'name_required'
		});
		expect(Y.encodeStateVector(doc)).toEqual(before);
	});

	it('deleteGrid tombstones: concurrent rename and delete converge to deleted, record kept', () => {
		const { net, a, b } = two();
		const id = added(addGrid(a, { name: '第三网格' }, as(WANG, 1000)));
		added(addGrid(a, { name: '第四网格' }, as(WANG, 1100)));
		net.flush();
		expect(deleteGrid(a, id, as(WANG, 2000))).toEqual({ ok: true, value: { changed: true } });
		expect(renameGrid(b, id, { name: '幸福里网格' }, as(LI, 2000)).ok).toBe(true);
		net.flush({ shuffle: 4 });
		for (const doc of [a, b]) {
			expect(readDirectory(doc).grids.map((g) => g.name)).toEqual(['第四网格']);
			expect(doc.getMap('grids').has(id)).toBe(true);
		}
		expect(deleteGrid(a, id, as(WANG))).toEqual({ ok: false, reason: 'grid_not_found' });
		expect(renameGrid(a, id, { name: '再改' }, as(WANG))).toEqual({
			ok: false,
			reason: 'grid_not_found'
		});
	});

	it('restoreGrid brings a deleted grid back as it was, recorded, never rewriting the tombstone', () => {
		const { net, a, b } = two();
		const id = added(addGrid(a, { name: '第三网格' }, as(WANG, 1000)));
		expect(restoreGrid(a, id, as(LI, 1500))).toEqual({ ok: false, reason: 'not_deleted' });
		expect(deleteGrid(a, id, as(WANG, 2000)).ok).toBe(true);
		net.flush();
		expect(readDeletedGrids(b)).toEqual([
			{ id, name: '第三网格', deletedAt: 2000, deletedBy: WANG.name }
		]);
		const volunteer: DirectoryContext = {
			actor: WANG,
			authority: { claims: { role: 'volunteer' } }
		};
		expect(restoreGrid(b, id, volunteer)).toEqual({ ok: false, reason: 'not_permitted' });
		// A phone whose clock is behind still restores: the restore is never older than the delete.
		expect(restoreGrid(b, id, as(LI, 1800))).toEqual({ ok: true, value: { changed: true } });
		net.flush();
		for (const doc of [a, b]) {
			expect(readDirectory(doc).grids.map((g) => g.name)).toEqual(['第三网格']);
			expect(readDeletedGrids(doc)).toEqual([]);
			const map = doc.getMap('grids').get(id) as Y.Map<unknown>;
			expect(map.get('deletedAt')).toBe(2000);
			expect(map.get('restoredBy')).toBe(LI.name);
		}
		expect(restoreGrid(a, 'nope' as GridId, as(LI))).toEqual({
			ok: false,
			reason: 'grid_not_found'
		});
		// Deleted again (even by a slow clock), then restored on the other phone.
		expect(deleteGrid(a, id, as(WANG, 100))).toEqual({ ok: true, value: { changed: true } });
		net.flush();
		expect(readDirectory(b).grids).toEqual([]);
		expect(restoreGrid(b, id, as(LI, 3000)).ok).toBe(true);
		net.flush();
		expect(readDirectory(a).grids.map((g) => g.id)).toEqual([id]);
	});

	it('two secretaries restoring the same grid offline converge to it being back', () => {
		const { net, a, b } = two();
		const id = added(addGrid(a, { name: '第五网格' }, as(WANG, 1000)));
		expect(deleteGrid(a, id, as(WANG, 2000)).ok).toBe(true);
		net.flush();
		expect(restoreGrid(a, id, as(LI, 3000)).ok).toBe(true);
		expect(restoreGrid(b, id, as(LI, 2500)).ok).toBe(true);
		net.flush({ shuffle: 3 });
		for (const doc of [a, b]) expect(readDirectory(doc).grids.map((g) => g.id)).toEqual([id]);
	});

	it('skips malformed grid records instead of failing the whole directory', () => {
		const doc = new Y.Doc();
		added(addGrid(doc, { name: '第一网格' }, as(WANG, 1000)));
		doc.getMap('grids').set('broken', 'not a map');
		doc.getMap('grids').set('half', new Y.Map());
		expect(readDirectory(doc).grids.map((g) => g.name)).toEqual(['第一网格']);
	});
});
