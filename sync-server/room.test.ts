/**
 * Room: what a joiner is sent (sync step 2) right after a document was loaded from storage, and
 * how the updates of a turn (or of a broadcast interval) reach the other peers.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness';
import { MESSAGE_PERSISTED, MESSAGE_SYNC } from './protocol.ts';
import { Room, type Peer, type RoomLimits } from './room.ts';
import type { StoredDoc } from './storage/types.ts';
import { waitFor } from './test-helpers.ts';

const LIMITS = { maxDocBytes: 50_000_000, maxPendingBytes: 1_000_000 };
const EMPTY_SV = Y.encodeStateVector(new Y.Doc());

function stateOf(lines: readonly string[]): { doc: Y.Doc; update: Uint8Array } {
	const doc = new Y.Doc();
	doc.getArray<string>('minutes').push([...lines]);
	return { doc, update: Y.encodeStateAsUpdate(doc) };
}

function room(stored: StoredDoc, limits: Partial<RoomLimits> = {}): Room {
	return new Room(
		'c/demo/meetings/m1',
		stored,
		{ enqueue() {}, onEmpty() {} },
		{ ...LIMITS, ...limits }
	);
}

const EMPTY: StoredDoc = { snapshot: null, updates: [], lastSeq: 0 };

function peer(): Peer & { sent: Uint8Array[] } {
	const sent: Uint8Array[] = [];
	return { wantsPersisted: false, sent, send: (m) => sent.push(m), close() {} };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

/** The updates among a peer's messages (sync update or step 2), in order; other types skipped. */
function updatesIn(messages: readonly Uint8Array[]): Uint8Array[] {
	const updates: Uint8Array[] = [];
	for (const message of messages) {
		const decoder = decoding.createDecoder(message);
		if (decoding.readVarUint(decoder) !== MESSAGE_SYNC) continue;
		if (decoding.readVarUint(decoder) === 0) continue; // sync step 1
		updates.push(decoding.readVarUint8Array(decoder));
	}
	return updates;
}

/** A client of its own that appends `line` to the minutes; returns the update it made. */
function edit(line: string): Uint8Array {
	const doc = new Y.Doc();
	doc.getArray<string>('minutes').push([line]);
	return Y.encodeStateAsUpdate(doc);
}

const lines = (updates: readonly Uint8Array[]) => read(Y.mergeUpdates([...updates])).sort();

function read(update: Uint8Array): string[] {
	const doc = new Y.Doc();
	Y.applyUpdate(doc, update);
	return doc.getArray<string>('minutes').toArray();
}

describe('Room.missingFor', () => {
	it('sends a new joiner the stored bytes themselves while the doc is as loaded', () => {
		const { update } = stateOf(['三号楼楼道灯不亮', '消防通道堵塞']);
		const r = room({ snapshot: update, updates: [], lastSeq: 1 });
		expect(r.missingFor(EMPTY_SV)).toBe(update);
		// Likewise a document stored as one log row.
		const { update: row } = stateOf(['飞线充电']);
		expect(room({ snapshot: null, updates: [row], lastSeq: 1 }).missingFor(EMPTY_SV)).toBe(row);
	});

	it('encodes the doc once it changed, for a joiner holding part of it, or from several parts', () => {
		const first = stateOf(['三号楼楼道灯不亮']);
		const r = room({ snapshot: first.update, updates: [], lastSeq: 1 });
		// A joiner holding everything gets nothing new.
		expect(read(r.missingFor(Y.encodeStateVector(first.doc)))).toEqual([]);
		first.doc.getArray<string>('minutes').push(['消防通道堵塞']);
		const writer = peer();
		r.attach(writer);
		expect(r.applyUpdate(Y.encodeStateAsUpdate(first.doc), writer)).toBe('applied');
		const now = r.missingFor(EMPTY_SV);
		expect(now).not.toBe(first.update);
		expect(read(now)).toEqual(['三号楼楼道灯不亮', '消防通道堵塞']);

		const a = stateOf(['甲']);
		const b = stateOf(['乙']);
		const merged = room({ snapshot: a.update, updates: [b.update], lastSeq: 2 });
		expect(read(merged.missingFor(EMPTY_SV)).sort()).toEqual(['乙', '甲']);
	});
});

describe('Room broadcast', () => {
	it('sends the updates of one turn to each peer as one message, never back to their writer', async () => {
		const r = room(EMPTY);
		const [a, b, c] = [peer(), peer(), peer()];
		for (const p of [a, b, c]) r.attach(p);
		const attached = (p: { sent: Uint8Array[] }) => p.sent.length;
		const before = [a, b, c].map(attached);
		expect(r.applyUpdate(edit('甲：三号楼楼道灯不亮'), a)).toBe('applied');
		expect(r.applyUpdate(edit('甲：消防通道堵塞'), a)).toBe('applied');
		expect(r.applyUpdate(edit('乙：飞线充电'), b)).toBe('applied');
		// Nothing leaves before the end of the turn.
		expect([a, b, c].map(attached)).toEqual(before);
		await turn();
		const news = (p: { sent: Uint8Array[] }, i: number) => p.sent.slice(before[i]);
		expect(news(c, 2)).toHaveLength(1);
		expect(lines(updatesIn(news(c, 2)))).toEqual(
			['甲：三号楼楼道灯不亮', '甲：消防通道堵塞', '乙：飞线充电'].sort()
		);
		expect(news(a, 0)).toHaveLength(1);
		expect(lines(updatesIn(news(a, 0)))).toEqual(['乙：飞线充电']);
		expect(news(b, 1)).toHaveLength(1);
		expect(lines(updatesIn(news(b, 1)))).toEqual(
			['甲：三号楼楼道灯不亮', '甲：消防通道堵塞'].sort()
		);
	});

	it('with broadcastIntervalMs: the first update goes at once, faster ones wait and go together', async () => {
		const r = room(EMPTY, { broadcastIntervalMs: 100 });
		const [writer, reader] = [peer(), peer()];
		r.attach(writer);
		r.attach(reader);
		const received: { at: number; updates: number }[] = [];
		const send = reader.send;
		reader.send = (m) => {
			send(m);
			received.push({ at: performance.now(), updates: updatesIn([m]).length });
		};
		const t0 = performance.now();
		r.applyUpdate(edit('第1条'), writer);
		await turn();
		expect(received).toHaveLength(1);
		expect(received[0]!.at - t0).toBeLessThan(50);
		for (let i = 2; i <= 4; i++) {
			r.applyUpdate(edit(`第${i}条`), writer);
			await turn();
		}
		expect(received).toHaveLength(1);
		await waitFor(() => received.length === 2);
		expect(received[1]!.at - received[0]!.at).toBeGreaterThanOrEqual(99);
		expect(lines(updatesIn(reader.sent))).toEqual(['第1条', '第2条', '第3条', '第4条']);
		// After a quiet spell, the next update goes at the end of its turn again.
		await new Promise((resolve) => setTimeout(resolve, 110));
		const t1 = performance.now();
		r.applyUpdate(edit('第5条'), writer);
		await turn();
		expect(received).toHaveLength(3);
		expect(received[2]!.at - t1).toBeLessThan(50);
	});

	it('sends waiting updates before a persisted confirmation and before a new peer joins', () => {
		const r = room(EMPTY, { broadcastIntervalMs: 60_000 });
		const [writer, reader] = [peer(), peer()];
		reader.wantsPersisted = true;
		r.attach(writer);
		r.attach(reader);
		r.applyUpdate(edit('第1条'), writer);
		r.applyUpdate(edit('第2条'), writer);
		const from = reader.sent.length;
		r.stored(2, 2);
		r.committed(2, r.stateVector());
		const types = reader.sent
			.slice(from)
			.map((m) => decoding.readVarUint(decoding.createDecoder(m)));
		expect(types).toEqual([MESSAGE_SYNC, MESSAGE_PERSISTED]);
		expect(lines(updatesIn(reader.sent.slice(from)))).toEqual(['第1条', '第2条']);

		r.applyUpdate(edit('第3条'), writer);
		const joiner = peer();
		const readerFrom = reader.sent.length;
		r.attach(joiner);
		// The reader had it before the joiner was attached; the joiner gets it with its sync.
		expect(lines(updatesIn(reader.sent.slice(readerFrom)))).toEqual(['第3条']);
		expect(updatesIn(joiner.sent)).toEqual([]);
		expect(read(r.missingFor(EMPTY_SV)).sort()).toEqual(['第1条', '第2条', '第3条']);
		r.destroy();
	});
});

describe('presence', () => {
	it('drops a state not renewed within presenceTimeoutMs, tells the others, hides it from newcomers', async () => {
		const r = room(EMPTY, { presenceTimeoutMs: 300 });
		const lost = peer();
		const other = peer();
		r.attach(lost);
		r.attach(other);
		const phone = new Awareness(new Y.Doc());
		phone.setLocalStateField('user', { name: '李建国' });
		const update = encodeAwarenessUpdate(phone, [phone.clientID]);
		phone.destroy();
		expect(r.applyAwareness(update, lost)).toBe('applied');
		const at = Date.now();
		expect(r.awareness.getStates().has(phone.clientID)).toBe(true);
		const before = other.sent.length;
		// The peer stays attached (its socket not yet found dead) but sends nothing more.
		await waitFor(() => !r.awareness.getStates().has(phone.clientID), 5000, 'state dropped');
		const after = Date.now() - at;
		expect(after).toBeGreaterThanOrEqual(290);
		expect(after).toBeLessThan(1300);
		// The removal went out (an awareness message, type 1).
		expect(other.sent.slice(before).some((m) => m[0] === 1)).toBe(true);
		const newcomer = peer();
		r.attach(newcomer);
		expect(newcomer.sent.some((m) => m[0] === 1)).toBe(false);
		r.destroy();
	});

	it('recognises an echo by ids and clocks alone: its states are not read; a change still is', () => {
		const r = room(EMPTY);
		const phone = peer();
		const other = peer();
		r.attach(phone);
		r.attach(other);
		const awareness = new Awareness(new Y.Doc());
		awareness.setLocalStateField('user', { name: '王芳' });
		const id = awareness.clientID;
		expect(r.applyAwareness(encodeAwarenessUpdate(awareness, [id]), phone)).toBe('applied');
		awareness.destroy();
		const clock = r.awareness.meta.get(id)!.clock;
		/** One entry whose state is `state` as it stands (not necessarily JSON). */
		const raw = (entryId: number, entryClock: number, state: string) => {
			const encoder = encoding.createEncoder();
			encoding.writeVarUint(encoder, 1);
			encoding.writeVarUint(encoder, entryId);
			encoding.writeVarUint(encoder, entryClock);
			encoding.writeVarString(encoder, state);
			return encoding.toUint8Array(encoder);
		};
		// What the other client echoes back carries the room's clock: its state is never parsed.
		expect(r.applyAwareness(raw(id, clock, '{"user": not json'), other)).toBe('echo');
		expect(r.awareness.getStates().get(id)).toEqual({ user: { name: '王芳' } });
		// Whatever would change the room is read whole, as before.
		expect(r.applyAwareness(raw(id, clock + 1, '{"user": not json'), phone)).toBe('invalid');
		expect(r.applyAwareness(raw(id + 1, 1, '{"user": not json'), other)).toBe('invalid');
		expect(r.applyAwareness(raw(id, clock, '{"user"'), other)).toBe('echo');
		// A length that runs past the end is unreadable, not an echo.
		const cut = raw(id, clock, '{}');
		expect(r.applyAwareness(cut.slice(0, cut.length - 1), other)).toBe('invalid');
		r.destroy();
	});
});
