import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Actor } from '../domain/actor';
import type { EditId } from '../domain/ids';
import {
	appendFieldEdit,
	createFieldLog,
	fieldHeads,
	readFieldEdits,
	readFieldState,
	resolveFieldState,
	type FieldEdit,
	type FieldLog
} from './field-log';
import { ORIGIN_LOCAL_EDIT } from './origins';
import { createReplicaNetwork } from './testing/replica-network';

const isString = (value: unknown): value is string => typeof value === 'string';
const WANG: Actor = { name: '王网格员', deviceId: 'phone-wang' };
const LI: Actor = { name: '李书记', deviceId: 'phone-li' };
const ZHAO: Actor = { name: '赵志愿者', deviceId: 'phone-zhao' };

function logOf(doc: Y.Doc): FieldLog {
	const log = doc.getMap('fields').get('title');
	if (!(log instanceof Y.Array)) throw new Error('no title log on this replica');
	return log;
}

function state(doc: Y.Doc) {
	return readFieldState(logOf(doc), isString, '');
}

function write(doc: Y.Doc, value: string, actor: Actor, at: number) {
	doc.transact(() => appendFieldEdit(logOf(doc), value, isString, actor, at), ORIGIN_LOCAL_EDIT);
}

/** n replicas that all hold one title log whose first value is 楼道灯短路. */
function network(n: number) {
	const net = createReplicaNetwork(n);
	const first = net.docs[0] as Y.Doc;
	first.transact(() => {
		first.getMap('fields').set('title', createFieldLog('楼道灯短路', WANG, 1000));
	}, ORIGIN_LOCAL_EDIT);
	net.flush();
	return { net, docs: net.docs as Y.Doc[] };
}

describe('field log', () => {
	it('sequential edits on one replica: the last value, no conflict', () => {
		const { docs } = network(1);
		const [a] = docs as [Y.Doc];
		write(a, '3号楼楼道灯短路', WANG, 2000);
		write(a, '3号楼2单元楼道灯短路', LI, 3000);
		expect(state(a)).toMatchObject({ value: '3号楼2单元楼道灯短路', conflict: null });
	});

	it('a sequential edit wins even when its clock is behind the edit it saw', () => {
		const { net, docs } = network(2);
		const [a, b] = docs as [Y.Doc, Y.Doc];
		write(a, '楼道灯不亮', WANG, 9_000_000);
		net.flush();
		write(b, '楼道灯短路，已报修', LI, 10);
		net.flush();
		for (const doc of docs)
			expect(state(doc)).toMatchObject({ value: '楼道灯短路，已报修', conflict: null });
	});

	it('two concurrent edits: both values visible on both replicas, identical snapshots', () => {
		const { net, docs } = network(2);
		const [a, b] = docs as [Y.Doc, Y.Doc];
		write(a, '消防通道被电动车堵塞', WANG, 2000);
		write(b, '消防通道堵塞', LI, 2500);
		net.flush({ shuffle: 3 });
		const sa = state(a);
		expect(sa).toEqual(state(b));
		expect(sa.value).toBe('消防通道堵塞');
		expect(sa.conflict?.values.map((c) => [c.value, c.by, c.at])).toEqual([
			['消防通道堵塞', LI.name, 2500],
			['消防通道被电动车堵塞', WANG.name, 2000]
		]);
		expect(Object.isFrozen(sa)).toBe(true);
		expect(Object.isFrozen(sa.conflict?.values)).toBe(true);
	});

	it('equal times break by edit id, the same on every replica', () => {
		const { net, docs } = network(2);
		const [a, b] = docs as [Y.Doc, Y.Doc];
		write(a, '飞线充电', WANG, 5000);
		write(b, '私拉电线充电', LI, 5000);
		net.flush();
		const sa = state(a);
		const concurrent = readFieldEdits(logOf(a), isString).filter((e) => e.at === 5000);
		expect(concurrent).toHaveLength(2);
		const winner = [...concurrent].sort((x, y) => (x.id < y.id ? 1 : -1))[0];
		expect(sa.value).toBe(winner?.value);
		expect(state(b)).toEqual(sa);
	});

	it('two replicas typing the same value concurrently do not conflict', () => {
		const { net, docs } = network(2);
		const [a, b] = docs as [Y.Doc, Y.Doc];
		write(a, '楼道灯已修好', WANG, 2000);
		write(b, '楼道灯已修好', LI, 2100);
		net.flush();
		expect(state(a)).toMatchObject({ value: '楼道灯已修好', conflict: null });
		expect(fieldHeads(readFieldEdits(logOf(b), isString))).toHaveLength(2);
	});

	it('a resolution removes the conflict on both replicas after flush', () => {
		const { net, docs } = network(2);
		const [a, b] = docs as [Y.Doc, Y.Doc];
		write(a, '消防通道被电动车堵塞', WANG, 2000);
		write(b, '消防通道堵塞', LI, 2500);
		net.flush();
		write(a, '消防通道被电动车堵塞', WANG, 3000);
		expect(state(a)).toMatchObject({ value: '消防通道被电动车堵塞', conflict: null });
		expect(state(b).conflict).not.toBeNull();
		net.flush();
		expect(state(b)).toMatchObject({ value: '消防通道被电动车堵塞', conflict: null });
	});

	it('three-way concurrency keeps all three values, and one edit over them settles it', () => {
		const { net, docs } = network(3);
		const [a, b, c] = docs as [Y.Doc, Y.Doc, Y.Doc];
		write(a, '地下车库噪音', WANG, 2000);
		write(b, '车库减速带松动异响', LI, 2000);
		write(c, '夜间噪音扰民', ZHAO, 1500);
		net.flush({ shuffle: 11 });
		const s = state(a);
		expect(state(b)).toEqual(s);
		expect(state(c)).toEqual(s);
		expect(new Set(s.conflict?.values.map((v) => v.value))).toEqual(
			new Set(['地下车库噪音', '车库减速带松动异响', '夜间噪音扰民'])
		);
		expect(s.conflict?.values[0]?.value).toBe(s.value);
		write(c, '车库减速带松动异响', ZHAO, 4000);
		net.flush();
		for (const doc of docs)
			expect(state(doc)).toMatchObject({ value: '车库减速带松动异响', conflict: null });
	});

	it('an edit concurrent with a resolution stays visible beside it', () => {
		const { net, docs } = network(3);
		const [a, b, c] = docs as [Y.Doc, Y.Doc, Y.Doc];
		write(a, 'A', WANG, 2000);
		write(b, 'B', LI, 2000);
		net.flush();
		write(a, 'A', WANG, 3000); // resolves A vs B
		write(c, 'C', ZHAO, 3000); // concurrently edits over A and B too
		net.flush({ shuffle: 5 });
		for (const doc of docs) {
			expect(new Set(state(doc).conflict?.values.map((v) => v.value))).toEqual(new Set(['A', 'C']));
		}
	});

	it('skips malformed edits and edits whose value it cannot read', () => {
		const doc = new Y.Doc();
		const log = doc.getArray<unknown>('log');
		log.push([
			{ id: 'e1', value: '楼道灯短路', bases: [], by: '王', deviceId: 'p', at: 1 },
			{ id: 'e2', value: 42, bases: ['e1'], by: '李', deviceId: 'q', at: 2 },
			{ id: 'E3!', value: '坏的', bases: ['e1'], by: '李', deviceId: 'q', at: 3 },
			'garbage',
			null
		]);
		expect(readFieldEdits(log, isString).map((e) => e.id)).toEqual(['e1']);
		// e2 (a value this version cannot read) is skipped whole, its bases too: e1 still shows.
		expect(readFieldState(log, isString, '')).toMatchObject({
			value: '楼道灯短路',
			conflict: null
		});
		expect(readFieldState(doc.getArray<unknown>('empty'), isString, '—')).toMatchObject({
			value: '—',
			conflict: null
		});
		doc.transact(() => appendFieldEdit(log, '新值', isString, WANG, 4), ORIGIN_LOCAL_EDIT);
		const last = log.get(log.length - 1) as FieldEdit<string>;
		// Only what this version can show is superseded; e2 stays a head for devices that read it.
		expect(last.bases).toEqual(['e1']);
	});

	it('counts an edit delivered twice once', () => {
		const edit: FieldEdit<string> = {
			id: 'e1' as EditId,
			value: '飞线充电',
			bases: [],
			by: '王',
			deviceId: 'p',
			at: 1
		};
		expect(resolveFieldState([edit, { ...edit }], '')).toMatchObject({
			value: '飞线充电',
			conflict: null
		});
	});
});
