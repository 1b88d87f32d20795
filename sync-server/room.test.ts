/**
 * Room: what a joiner is sent (sync step 2) right after a document was loaded from storage.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Room, type Peer } from './room.ts';
import type { StoredDoc } from './storage/types.ts';

const LIMITS = { maxDocBytes: 50_000_000, maxPendingBytes: 1_000_000 };
const EMPTY_SV = Y.encodeStateVector(new Y.Doc());

function stateOf(lines: readonly string[]): { doc: Y.Doc; update: Uint8Array } {
	const doc = new Y.Doc();
	doc.getArray<string>('minutes').push([...lines]);
	return { doc, update: Y.encodeStateAsUpdate(doc) };
}

function room(stored: StoredDoc): Room {
	return new Room('c/demo/meetings/m1', stored, { enqueue() {}, onEmpty() {} }, LIMITS);
}

function peer(): Peer & { sent: Uint8Array[] } {
	const sent: Uint8Array[] = [];
	return { wantsPersisted: false, sent, send: (m) => sent.push(m), close() {} };
}

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
