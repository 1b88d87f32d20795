/**
 * Attested authorship as readers see it: which member the relay authenticated for the Yjs struct
 * that holds an entry (wire/attestation.ts). The relay keeps the root map `attest`
 * (clientID → { member, from }) in every document; an element of a Y.Array, or a value of a Y.Map,
 * was written by the struct with Yjs id (client, clock), and is attested to `member` when
 * `attest[client]` exists with `from` ≤ clock.
 *
 * `unattested` means no member is attested for it: written on this device and not yet received by
 * the relay, written before attestation existed, or written with a service credential (the relay's
 * own client id, `RELAY_MEMBER`, never counts as an author).
 *
 * Cost: readers ask only for the records they show one at a time (a case page, a task, a meeting);
 * a lookup is one Y.Map read per distinct client id, so list readers never pay for it.
 *
 * Invariant: a pure function of the document state, like every reader; it reads Yjs's item list
 * but never writes.
 */

import * as Y from 'yjs';
import { attestedMember, parseAttestation, RELAY_MEMBER } from '../wire/attestation';
import { ATTESTATION_ROOT } from '../wire/write-rules';

export type Authorship =
	Readonly<{ kind: 'attested'; memberId: string }> | Readonly<{ kind: 'unattested' }>;

/** Entry id → its authorship, for the entries of one record. */
export type AuthorshipById = Readonly<Record<string, Authorship>>;

const UNATTESTED: Authorship = Object.freeze({ kind: 'unattested' });

type StructId = Readonly<{ client: number; clock: number }>;

/**
 * The authorship of structs of one document, read lazily: each client id's attestation is read
 * from `attest` once per reader.
 */
export function authorshipReader(doc: Y.Doc): (id: StructId) => Authorship {
	const attest = doc.getMap<unknown>(ATTESTATION_ROOT);
	const members = new Map<number, Authorship[]>();
	const parsed = new Map<number, ReturnType<typeof parseAttestation>>();
	return ({ client, clock }) => {
		let attestation = parsed.get(client);
		if (attestation === undefined) {
			attestation = parseAttestation(attest.get(String(client)));
			parsed.set(client, attestation);
		}
		const member = attestedMember(attestation, clock);
		if (member === null || member === RELAY_MEMBER) return UNATTESTED;
		let known = members.get(client);
		if (!known) members.set(client, (known = []));
		let found = known.find((a) => a.kind === 'attested' && a.memberId === member);
		if (!found) known.push((found = Object.freeze({ kind: 'attested', memberId: member })));
		return found;
	};
}

/**
 * Calls `visit` with every element of a Y.Array, in order, and the Yjs id of the struct slot
 * holding it. One item of plain values (ContentAny) holds several elements with consecutive
 * clocks; deleted items hold none.
 */
export function forEachElementId(
	array: Y.Array<unknown>,
	visit: (value: unknown, id: StructId) => void
): void {
	for (let item = array._start; item !== null; item = item.right) {
		if (item.deleted || !item.countable) continue;
		const values = item.content.getContent();
		for (let i = 0; i < values.length; i++) {
			visit(values[i], { client: item.id.client, clock: item.id.clock + i });
		}
	}
}

/** The authorship of each element of `array`, in `array.toArray()` order. */
export function authorshipOfElements(doc: Y.Doc, array: Y.Array<unknown>): Authorship[] {
	const read = authorshipReader(doc);
	const out: Authorship[] = [];
	forEachElementId(array, (_value, id) => out.push(read(id)));
	return out;
}

function entryIdOf(value: unknown): string | null {
	if (typeof value !== 'object' || value === null) return null;
	const id = (value as { id?: unknown }).id;
	return typeof id === 'string' ? id : null;
}

/**
 * Entry id → authorship for the plain entries (`{ id, … }`) of append-only arrays. An id that
 * occurs twice keeps its first occurrence, in array order, as readers keep the first entry.
 */
export function authorshipByEntryId(
	doc: Y.Doc,
	arrays: readonly Y.Array<unknown>[],
	into: Record<string, Authorship> = {}
): Record<string, Authorship> {
	const read = authorshipReader(doc);
	for (const array of arrays) {
		forEachElementId(array, (value, id) => {
			const entryId = entryIdOf(value);
			if (entryId !== null && !(entryId in into)) into[entryId] = read(id);
		});
	}
	return into;
}

/** The authorship of the value a Y.Map holds under `key` (the struct that set it). */
export function authorshipOfMapEntry(doc: Y.Doc, map: Y.Map<unknown>, key: string): Authorship {
	const item = map._map.get(key);
	if (!item || item.deleted) return UNATTESTED;
	return authorshipReader(doc)(item.id);
}
