/**
 * The write guard refuses every update Yjs would hold back as pending, whichever reference of a
 * struct names what the relay lacks (its left neighbour, its right neighbour, its parent):
 * pending content would be integrated later without a check.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Writer } from '../src/lib/wire/index.ts';
import { writeRulesOf } from '../src/lib/wire/write-rules-of.ts';
import { entry, timelineOf, writeCase } from './write-rules-fixture.ts';
import { checkUpdate } from './write-guard.ts';

const target = { kind: 'board', id: 'g1' } as const;
const writer: Writer = { memberId: 'm-vol', name: 'Vol', role: 'volunteer', grids: [] };
const OTHER = 0x5eed;

/**
 * The relay's board holds a case with one comment; another device (OTHER) added a second the
 * relay has not received. The volunteer, holding both, inserts between them: its item's left
 * neighbour is stored, its right one is not. Encoded by stock Yjs, without OTHER's comment.
 */
function insertionBeforeUnknown() {
	const relay = new Y.Doc();
	writeCase(relay, 'k1', 'Vol');
	timelineOf(relay, 'k1').push([entry('comment', 'Vol', { text: 'a' })]);
	const other = new Y.Doc();
	other.clientID = OTHER;
	Y.applyUpdate(other, Y.encodeStateAsUpdate(relay));
	timelineOf(other, 'k1').push([entry('comment', 'Vol', { text: 'c' })]);
	const volunteer = new Y.Doc();
	Y.applyUpdate(volunteer, Y.encodeStateAsUpdate(other));
	const known = Y.encodeStateVector(volunteer);
	const timeline = timelineOf(volunteer, 'k1');
	timeline.insert(timeline.length - 1, [entry('comment', 'Vol', { text: 'b' })]);
	return { relay, other, update: Y.encodeStateAsUpdate(volunteer, known) };
}

/** What of `update` Yjs would keep pending over a copy of `doc`, in bytes. */
function pendingAfter(doc: Y.Doc, update: Uint8Array): number {
	const copy = new Y.Doc();
	Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
	Y.applyUpdate(copy, update);
	return (copy.store.pendingStructs?.update.length ?? 0) + (copy.store.pendingDs?.length ?? 0);
}

const check = (doc: Y.Doc, update: Uint8Array) =>
	checkUpdate(doc, Y.decodeUpdate(update), writeRulesOf(target), writer, target);

describe('write guard: references Yjs would wait for', () => {
	it('an insertion whose right neighbour the relay lacks is refused, not left pending', () => {
		const { relay, update } = insertionBeforeUnknown();
		const item = Y.decodeUpdate(update).structs[0] as Y.Item;
		expect(item.origin?.client).toBe(relay.clientID);
		expect(item.rightOrigin?.client).toBe(OTHER);
		// What Yjs would do: hold the comment back until OTHER's arrives.
		expect(pendingAfter(relay, update)).toBeGreaterThan(0);
		const verdict = check(relay, update);
		expect(verdict).toMatchObject({ ok: false, reason: 'missing_dependency' });
	});

	it('the same insertion is accepted once the relay has its right neighbour', () => {
		const { relay, other, update } = insertionBeforeUnknown();
		Y.applyUpdate(relay, Y.encodeStateAsUpdate(other));
		expect(pendingAfter(relay, update)).toBe(0);
		expect(check(relay, update).ok).toBe(true);
	});

	it('and with its right neighbour in the same update', () => {
		const { relay, other, update } = insertionBeforeUnknown();
		const both = Y.mergeUpdates([update, Y.encodeStateAsUpdate(other, Y.encodeStateVector(relay))]);
		expect(pendingAfter(relay, both)).toBe(0);
		expect(check(relay, both).ok).toBe(true);
	});

	it('a struct the relay has by its clock, but naming a neighbour it lacks, is refused too', () => {
		// A client id written from two replicas (a reused id, a restored backup): the relay holds
		// (REUSED, 0) from the first; the second writes its own (REUSED, 0), after a comment of
		// OTHER's the relay never got. By its clocks it is nothing new, yet Yjs resolves its left
		// neighbour first and keeps the update pending, to integrate whatever follows later.
		const REUSED = 0xbeef;
		const relay = new Y.Doc();
		writeCase(relay, 'k1', 'Vol');
		const base = Y.encodeStateAsUpdate(relay);
		const first = new Y.Doc();
		first.clientID = REUSED;
		Y.applyUpdate(first, base);
		timelineOf(first, 'k1').push([entry('comment', 'Vol', { text: 'first' })]);
		Y.applyUpdate(relay, Y.encodeStateAsUpdate(first, Y.encodeStateVector(relay)));
		const other = new Y.Doc();
		other.clientID = OTHER;
		Y.applyUpdate(other, base);
		timelineOf(other, 'k1').push([entry('comment', 'Vol', { text: 'other' })]);
		const second = new Y.Doc();
		second.clientID = REUSED;
		Y.applyUpdate(second, Y.encodeStateAsUpdate(other));
		const known = Y.encodeStateVector(second);
		timelineOf(second, 'k1').push([entry('comment', 'Vol', { text: 'second' })]);
		const update = Y.encodeStateAsUpdate(second, known);
		const item = Y.decodeUpdate(update).structs[0] as Y.Item;
		expect(item.id.clock + item.length).toBeLessThanOrEqual(Y.getState(relay.store, REUSED));
		expect(item.origin?.client).toBe(OTHER);
		expect(pendingAfter(relay, update)).toBeGreaterThan(0);
		expect(check(relay, update)).toMatchObject({ ok: false, reason: 'missing_dependency' });
	});
});
