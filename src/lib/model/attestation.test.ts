import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
	authorshipByEntryId,
	authorshipOfElements,
	authorshipOfMapEntry,
	forEachElementId
} from './attestation';
import { RELAY_MEMBER } from '../wire/attestation';

/** A replica with a fixed Yjs client id. */
function replica(clientID: number): Y.Doc {
	const doc = new Y.Doc();
	doc.clientID = clientID;
	return doc;
}

const sync = (from: Y.Doc, to: Y.Doc) => Y.applyUpdate(to, Y.encodeStateAsUpdate(from));

/** What the relay writes: `attest[client] = { member, from }`, from its own client id. */
function attest(doc: Y.Doc, entries: Record<number, { member: string; from: number }>): void {
	const relay = replica(1);
	sync(doc, relay);
	for (const [client, value] of Object.entries(entries)) relay.getMap('attest').set(client, value);
	sync(relay, doc);
}

describe('forEachElementId', () => {
	it('gives every element the id of its slot, several per item of plain values', () => {
		const doc = replica(7);
		const list = doc.getArray<unknown>('list');
		list.push([{ id: 'a' }, { id: 'b' }]);
		list.push([{ id: 'c' }]);
		list.delete(0, 1);
		const seen: [unknown, number, number][] = [];
		forEachElementId(list, (value, id) => seen.push([value, id.client, id.clock]));
		expect(seen).toEqual([
			[{ id: 'b' }, 7, 1],
			[{ id: 'c' }, 7, 2]
		]);
		expect(seen.map(([value]) => value)).toEqual(list.toArray());
	});

	it('counts a nested type as one element', () => {
		const doc = replica(9);
		const list = doc.getArray<unknown>('list');
		list.push(['x', new Y.Map(), 'y']);
		const clocks: number[] = [];
		forEachElementId(list, (_value, id) => clocks.push(id.clock));
		expect(clocks).toHaveLength(3);
		expect(new Set(clocks).size).toBe(3);
	});
});

describe('authorship', () => {
	it('is attested to the member the relay attested for the writing client', () => {
		const alice = replica(100);
		alice.getArray('timeline').push([{ id: 'e1', by: 'Alice' }]);
		const board = replica(50);
		sync(alice, board);
		const bob = replica(200);
		sync(board, bob);
		bob.getArray('timeline').push([{ id: 'e2', by: 'Bob' }]);
		sync(bob, board);
		attest(board, { 100: { member: 'm-alice', from: 0 }, 200: { member: 'm-bob', from: 0 } });
		expect(authorshipByEntryId(board, [board.getArray('timeline')])).toEqual({
			e1: { kind: 'attested', memberId: 'm-alice' },
			e2: { kind: 'attested', memberId: 'm-bob' }
		});
	});

	it('is unattested with no attestation, before `from`, or for the relay itself', () => {
		const doc = replica(300);
		const list = doc.getArray<unknown>('timeline');
		list.push([{ id: 'legacy' }, { id: 'legacy2' }]);
		list.push([{ id: 'later' }]);
		const other = replica(400);
		sync(doc, other);
		other.getArray('timeline').push([{ id: 'unsent' }]);
		sync(other, doc);
		const relayWrote = replica(1);
		sync(doc, relayWrote);
		relayWrote.getArray('timeline').push([{ id: 'relay' }]);
		relayWrote.getMap('attest').set('300', { member: 'm-x', from: 2 });
		relayWrote.getMap('attest').set('1', { member: RELAY_MEMBER, from: 0 });
		sync(relayWrote, doc);
		expect(authorshipOfElements(doc, list).map((a) => a.kind)).toEqual([
			'unattested',
			'unattested',
			'attested',
			'unattested',
			'unattested'
		]);
	});

	it('ignores a malformed attestation', () => {
		const doc = replica(500);
		doc.getArray('timeline').push([{ id: 'e' }]);
		attest(doc, { 500: { member: '', from: 0 } });
		expect(authorshipByEntryId(doc, [doc.getArray('timeline')])).toEqual({
			e: { kind: 'unattested' }
		});
	});

	it('keeps the first occurrence of an id, as readers keep the first entry', () => {
		const honest = replica(600);
		honest.getArray('timeline').push([{ id: 'same', by: 'A' }]);
		const forger = replica(700);
		sync(honest, forger);
		forger.getArray('timeline').push([{ id: 'same', by: 'B' }]);
		sync(forger, honest);
		attest(honest, { 600: { member: 'm-a', from: 0 }, 700: { member: 'm-b', from: 0 } });
		expect(authorshipByEntryId(honest, [honest.getArray('timeline')]).same).toEqual({
			kind: 'attested',
			memberId: 'm-a'
		});
	});

	it('reads a map value by the struct that set it', () => {
		const doc = replica(800);
		const map = doc.getMap<unknown>('cases');
		map.set('initial', { id: 'i' });
		attest(doc, { 800: { member: 'm-c', from: 0 } });
		expect(authorshipOfMapEntry(doc, map, 'initial')).toEqual({
			kind: 'attested',
			memberId: 'm-c'
		});
		expect(authorshipOfMapEntry(doc, map, 'missing')).toEqual({ kind: 'unattested' });
	});
});
