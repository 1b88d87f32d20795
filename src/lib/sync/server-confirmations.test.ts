import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createMemoryMetaStore, type MetaStore } from './meta-store.ts';
import {
	META_PENDING_PREFIX,
	changeOfTransaction,
	isCovered,
	trackServerConfirmations,
	type PendingChange
} from './server-confirmations.ts';

const ORIGIN_REMOTE = Symbol('remote');

function track(doc: Y.Doc, meta: MetaStore = createMemoryMetaStore()) {
	const confirmations = trackServerConfirmations(doc, meta, {
		isRemoteOrigin: (origin) => origin === ORIGIN_REMOTE,
		now: () => 1_000
	});
	confirmations.hydrate();
	return { confirmations, meta };
}

/** A state vector with the given clocks, in the wire format Y.decodeStateVector reads. */
function sv(entries: [number, number][]): Uint8Array {
	return encodeSV(new Map(entries));
}

function encodeSV(map: Map<number, number>): Uint8Array {
	const out: number[] = [];
	const writeVarUint = (n: number) => {
		while (n > 0x7f) {
			out.push(0x80 | (n & 0x7f));
			n = Math.floor(n / 128);
		}
		out.push(n);
	};
	writeVarUint(map.size);
	for (const [client, clock] of map) {
		writeVarUint(client);
		writeVarUint(clock);
	}
	return new Uint8Array(out);
}

describe('coverage', () => {
	const changes: PendingChange[] = [
		[7, 3],
		[7, 5],
		[9, 1]
	];
	const cases: { name: string; server: [number, number][]; unconfirmed: number }[] = [
		{ name: 'empty server state', server: [], unconfirmed: 3 },
		{ name: 'exactly reaches the first clock', server: [[7, 3]], unconfirmed: 2 },
		{ name: 'one short of the first clock', server: [[7, 2]], unconfirmed: 3 },
		{ name: 'covers one client only', server: [[7, 99]], unconfirmed: 1 },
		{
			name: 'covers everything',
			server: [
				[7, 5],
				[9, 1]
			],
			unconfirmed: 0
		},
		{ name: 'other clients do not count', server: [[8, 100]], unconfirmed: 3 }
	];
	for (const { name, server, unconfirmed } of cases) {
		it(name, () => {
			const serverSV = new Map(server);
			expect(changes.filter((change) => !isCovered(change, serverSV)).length).toBe(unconfirmed);
		});
	}

	it('isCovered compares against the same client only', () => {
		expect(isCovered([1, 4], new Map([[1, 4]]))).toBe(true);
		expect(isCovered([1, 4], new Map([[2, 4]]))).toBe(false);
	});

	it('the test encoder writes what Yjs decodes', () => {
		expect(Y.decodeStateVector(sv([[5, 300]]))).toEqual(new Map([[5, 300]]));
	});
});

describe('changeOfTransaction', () => {
	function lastChange(doc: Y.Doc, edit: () => void): PendingChange | null {
		let change: PendingChange | null = null;
		const listener = (tr: Y.Transaction) => (change = changeOfTransaction(tr, doc.clientID));
		doc.on('afterTransaction', listener);
		doc.transact(edit);
		doc.off('afterTransaction', listener);
		return change;
	}

	it('an insertion is confirmed by its own clock', () => {
		const doc = new Y.Doc();
		expect(lastChange(doc, () => doc.getText('t').insert(0, 'abc'))).toEqual([doc.clientID, 3]);
	});

	it('a deletion only waits for the next clock', () => {
		const doc = new Y.Doc();
		doc.getText('t').insert(0, 'abc');
		expect(lastChange(doc, () => doc.getText('t').delete(0, 1))).toEqual([doc.clientID, 4, true]);
	});

	it('an empty transaction is no change', () => {
		const doc = new Y.Doc();
		expect(lastChange(doc, () => {})).toBeNull();
	});
});

describe('trackServerConfirmations', () => {
	it('counts local changes until the server state vector covers them', () => {
		const doc = new Y.Doc();
		const { confirmations } = track(doc);
		doc.getMap('case').set('a', 1);
		doc.getMap('case').set('b', 2);
		expect(confirmations.getState().unconfirmed).toBe(2);

		expect(confirmations.receiveServerStateVector(sv([[doc.clientID, 1]]))).toBe(true);
		expect(confirmations.getState()).toEqual({ unconfirmed: 1, lastConfirmedAt: 1_000 });

		confirmations.receiveServerStateVector(Y.encodeStateVector(doc));
		expect(confirmations.getState().unconfirmed).toBe(0);
	});

	it('does not count changes that arrived from the relay', () => {
		const remote = new Y.Doc();
		remote.getMap('case').set('a', 1);
		const doc = new Y.Doc();
		const { confirmations } = track(doc);
		Y.applyUpdate(doc, Y.encodeStateAsUpdate(remote), ORIGIN_REMOTE);
		doc.transact(() => doc.getMap('case').set('b', 2), ORIGIN_REMOTE);
		expect(confirmations.getState().unconfirmed).toBe(0);
	});

	it('ignores a malformed state vector', () => {
		const doc = new Y.Doc();
		const { confirmations } = track(doc);
		doc.getMap('case').set('a', 1);
		expect(confirmations.receiveServerStateVector(new Uint8Array([5, 0x80]))).toBe(false);
		expect(confirmations.getState()).toEqual({ unconfirmed: 1, lastConfirmedAt: null });
	});

	it('keeps the count across a reload (new clientID) until the server covers the old client', () => {
		const meta = createMemoryMetaStore();
		const before = new Y.Doc();
		const first = track(before, meta);
		before.getMap('case').set('a', 1);
		before.getText('note').insert(0, 'hi');
		first.confirmations.receiveServerStateVector(sv([[before.clientID, 1]]));
		expect(first.confirmations.getState().unconfirmed).toBe(1);
		first.confirmations.destroy();

		const after = new Y.Doc();
		Y.applyUpdate(after, Y.encodeStateAsUpdate(before));
		expect(after.clientID).not.toBe(before.clientID);
		const second = track(after, meta);
		expect(second.confirmations.getState()).toEqual({ unconfirmed: 1, lastConfirmedAt: 1_000 });

		after.getMap('case').set('c', 3);
		expect(second.confirmations.getState().unconfirmed).toBe(2);
		second.confirmations.receiveServerStateVector(Y.encodeStateVector(after));
		expect(second.confirmations.getState().unconfirmed).toBe(0);
		expect(meta.keys(META_PENDING_PREFIX)).toEqual([]);
	});

	it("a deletion from an earlier session waits for the new session's next insertion", () => {
		const meta = createMemoryMetaStore();
		const before = new Y.Doc();
		const first = track(before, meta);
		before.getText('note').insert(0, 'abc');
		first.confirmations.receiveServerStateVector(Y.encodeStateVector(before));
		before.getText('note').delete(0, 1);
		expect(first.confirmations.getState().unconfirmed).toBe(1);
		first.confirmations.destroy();

		const after = new Y.Doc();
		Y.applyUpdate(after, Y.encodeStateAsUpdate(before));
		const second = track(after, meta);
		expect(second.confirmations.getState().unconfirmed).toBe(1);
		// The old client never inserts again; the entry now waits on the new client instead.
		second.confirmations.receiveServerStateVector(Y.encodeStateVector(after));
		expect(second.confirmations.getState().unconfirmed).toBe(1);
		after.getText('note').insert(0, 'x');
		second.confirmations.receiveServerStateVector(Y.encodeStateVector(after));
		expect(second.confirmations.getState().unconfirmed).toBe(0);
	});

	it('entries recorded before hydration are kept', () => {
		const meta = createMemoryMetaStore([[`${META_PENDING_PREFIX}42/0`, [42, 1]]]);
		const doc = new Y.Doc();
		const confirmations = trackServerConfirmations(doc, meta, { isRemoteOrigin: () => false });
		doc.getMap('case').set('early', true);
		confirmations.hydrate();
		expect(confirmations.getState().unconfirmed).toBe(2);
	});
});
