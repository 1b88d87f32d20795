/**
 * Attribution of stored updates: per document and author (the member the relay authenticated
 * for an update), how many updates it stored, which Yjs ids those updates inserted and which
 * they deleted. The log keeps each row's author; compaction folds the rows it removes into one
 * record per (document, author) kept beside the snapshot, so who changed what survives it
 * (Yjs records deletions without a client id: the snapshot alone cannot say who deleted).
 *
 * Both id sets are stored as a Yjs update (v1) with no structs whose delete set is the set:
 * `Y.decodeUpdate(record.deleted).ds` reads the deletions back, and applying `deleted` to a
 * document that holds the content deletes it again. The rows are the relay's own Yjs updates
 * (what its doc emitted): a deletion is in the row of the member whose update first deleted
 * it, and an insert in the row of the member who first delivered it (normally its writer; the
 * in-document attestation, src/lib/wire/attestation.ts, names the writer of each client id).
 *
 * Invariant: folding is associative and order-free: folding rows into a record, or into the
 * record of earlier rows, gives the same record as folding all rows at once. A row that is not
 * a Yjs update (only tests store such bytes) counts as an update and adds no ids.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';

export type Attribution = {
	/** A member id, RELAY_MEMBER, or null: a service writer, or rows stored before attribution. */
	author: string | null;
	/** Update rows folded into this record. */
	updates: number;
	/** Ids of the structs the author's updates inserted (an update: no structs, this id set). */
	inserted: Uint8Array;
	/** Ids the author's updates deleted (an update: no structs, this delete set). */
	deleted: Uint8Array;
};

/** One id range: `len` structs of `client` from `clock`. */
export type IdRange = { client: number; clock: number; len: number };

/** A stored row, as compaction and `attribution` read it. */
export type AuthoredRow = { author: string | null; update: Uint8Array };

type IdSet = Map<number, [clock: number, len: number][]>;

function add(set: IdSet, client: number, clock: number, len: number): void {
	if (len <= 0) return;
	const ranges = set.get(client);
	if (ranges) ranges.push([clock, len]);
	else set.set(client, [[clock, len]]);
}

/** Sorts and merges each client's ranges (overlapping or adjacent ranges become one). */
function normalize(set: IdSet): void {
	for (const [client, ranges] of set) {
		ranges.sort((a, b) => a[0] - b[0]);
		const merged: [number, number][] = [];
		for (const [clock, len] of ranges) {
			const last = merged.at(-1);
			if (last && clock <= last[0] + last[1]) last[1] = Math.max(last[1], clock + len - last[0]);
			else merged.push([clock, len]);
		}
		set.set(client, merged);
	}
}

/** An update with no structs whose delete set is `set` (Yjs update format v1). */
function encodeIdSet(set: IdSet): Uint8Array {
	normalize(set);
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, 0);
	const clients = [...set.keys()].sort((a, b) => b - a);
	encoding.writeVarUint(encoder, clients.length);
	for (const client of clients) {
		const ranges = set.get(client)!;
		encoding.writeVarUint(encoder, client);
		encoding.writeVarUint(encoder, ranges.length);
		for (const [clock, len] of ranges) {
			encoding.writeVarUint(encoder, clock);
			encoding.writeVarUint(encoder, len);
		}
	}
	return encoding.toUint8Array(encoder);
}

function readIdSet(encoded: Uint8Array, into: IdSet): void {
	const decoder = decoding.createDecoder(encoded);
	if (decoding.readVarUint(decoder) !== 0) throw new Error('an id set carries no structs');
	const clients = decoding.readVarUint(decoder);
	for (let i = 0; i < clients; i++) {
		const client = decoding.readVarUint(decoder);
		const ranges = decoding.readVarUint(decoder);
		for (let j = 0; j < ranges; j++) {
			const clock = decoding.readVarUint(decoder);
			add(into, client, clock, decoding.readVarUint(decoder));
		}
	}
}

/** The ranges of an encoded id set (`inserted` or `deleted`), by client then clock. */
export function idRanges(encoded: Uint8Array): IdRange[] {
	const set: IdSet = new Map();
	readIdSet(encoded, set);
	normalize(set);
	return [...set.keys()]
		.sort((a, b) => a - b)
		.flatMap((client) => set.get(client)!.map(([clock, len]) => ({ client, clock, len })));
}

const key = (author: string | null): string => (author === null ? '' : `=${author}`);

/**
 * `records` with `rows` folded in: one record per author, sorted by author (null first).
 * Neither argument is changed.
 */
export function foldAttribution(
	records: readonly Attribution[],
	rows: readonly AuthoredRow[]
): Attribution[] {
	const acc = new Map<
		string,
		{ author: string | null; updates: number; inserted: IdSet; deleted: IdSet }
	>();
	const entry = (author: string | null) => {
		let found = acc.get(key(author));
		if (!found) {
			found = { author, updates: 0, inserted: new Map(), deleted: new Map() };
			acc.set(key(author), found);
		}
		return found;
	};
	for (const record of records) {
		const into = entry(record.author);
		into.updates += record.updates;
		readIdSet(record.inserted, into.inserted);
		readIdSet(record.deleted, into.deleted);
	}
	for (const row of rows) {
		const into = entry(row.author);
		into.updates++;
		let decoded: ReturnType<typeof Y.decodeUpdate>;
		try {
			decoded = Y.decodeUpdate(row.update);
		} catch {
			continue;
		}
		for (const struct of decoded.structs) {
			if (!(struct instanceof Y.Skip))
				add(into.inserted, struct.id.client, struct.id.clock, struct.length);
		}
		for (const [client, items] of decoded.ds.clients) {
			for (const item of items) add(into.deleted, client, item.clock, item.len);
		}
	}
	return [...acc.entries()]
		.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
		.map(([, r]) => ({
			author: r.author,
			updates: r.updates,
			inserted: encodeIdSet(r.inserted),
			deleted: encodeIdSet(r.deleted)
		}));
}
