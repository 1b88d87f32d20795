/**
 * The write guard: checks an incoming Yjs update against its document's write rules
 * (src/lib/wire/write-rules.ts) before the relay applies, stores or forwards any of it.
 *
 * How an update is read: `Y.decodeUpdate` gives its structs (each with its id, its parent, or
 * the neighbours it was inserted between, and its content) and its delete set. Every struct the
 * relay does not have yet is located: its parent is a root type, a type created earlier (in the
 * document, or in this update), or, when the encoding leaves the parent out, the parent of the
 * neighbour it was inserted next to. From the root down the rules say what may be at each
 * position and who may create, change or remove it; every deleted range is located the same way
 * and must be removable by the writer.
 *
 * Invariants:
 * - All or nothing: an update is accepted whole or refused whole, with the first reason found.
 * - Nothing can wait: an update that builds on structs or deletes items the relay lacks (a
 *   clock gap, an unknown parent or neighbour, a delete range past what is stored) is refused
 *   (`missing_dependency`) instead of being held by Yjs as pending, where it would be
 *   integrated later without a check; so is an empty delete range (`shape`). Delete ranges are
 *   checked for this in every document, also those whose contents have no rules yet. The
 *   guard replays Yjs's integration order on clocks (every struct's left and right neighbour
 *   and parent, also of structs the relay has by their clocks, which Yjs resolves all the same).
 * - No struct is empty (length 0): Yjs would integrate it, replacing a map key's value, while
 *   by its clocks it is nothing new.
 * - Every client id with new structs is attested to the writer or not yet attested at all; the
 *   relay's own client id is never written by a client (`foreign_client`).
 * - Read-only: checking never changes the document.
 */
import * as Y from 'yjs';
import {
	ATTESTATION_ROOT,
	attestedMember,
	parseAttestation,
	type DocRules,
	type Rule,
	type WriteRefusal,
	type WriteTarget,
	type Writer
} from '../src/lib/wire/index.ts';
import type { DecodedUpdate } from './protocol.ts';

type Struct = DecodedUpdate['structs'][number];

export type GuardVerdict =
	| {
			ok: true;
			/** Client ids with new structs that have no attestation yet → their first new clock. */
			unattested: Map<number, number>;
	  }
	| { ok: false; reason: WriteRefusal; path: string };

/** Where an item sits: the rule of its position and a readable path to it. */
type Place = { rule: Rule; path: string; text: boolean };
/** The container an item sits in (its place and its Yjs type, or the incoming type item) and key. */
type Parent = { container: Place; key: string | null; type: unknown };

class Refused extends Error {
	readonly reason: WriteRefusal;
	readonly path: string;
	constructor(reason: WriteRefusal, path: string) {
		super(reason);
		this.reason = reason;
		this.path = path;
	}
}

/** The struct of `list` (sorted by clock) whose range holds `clock`. */
function findStruct<S extends { id: Y.ID; length: number }>(
	list: readonly S[] | undefined,
	clock: number
): S | undefined {
	if (!list) return undefined;
	let low = 0;
	let high = list.length - 1;
	while (low <= high) {
		const mid = (low + high) >> 1;
		const struct = list[mid]!;
		if (clock < struct.id.clock) high = mid - 1;
		else if (clock >= struct.id.clock + struct.length) low = mid + 1;
		else return struct;
	}
	return undefined;
}

function typeKind(type: unknown): 'map' | 'array' | 'text' | null {
	if (type instanceof Y.XmlHook) return null;
	if (type instanceof Y.Map) return 'map';
	if (type instanceof Y.Array) return 'array';
	if (type instanceof Y.XmlFragment || type instanceof Y.Text) return 'text';
	return null;
}

function attestationOf(doc: Y.Doc, client: number) {
	const root = doc.share.get(ATTESTATION_ROOT);
	if (!root) return null;
	const item = root._map.get(String(client));
	return item && !item.deleted ? parseAttestation(item.content.getContent()[0]) : null;
}

class Inspection {
	readonly #doc: Y.Doc;
	readonly #rules: DocRules | null;
	readonly #writer: Writer;
	readonly #target: WriteTarget;
	/** The update's structs by client, sorted by clock. */
	readonly #incoming = new Map<number, Struct[]>();
	readonly #places = new Map<Y.Item, Place>();
	/** Keys created in this update, per container, to see a second write of one key. */
	readonly #newKeys = new Map<unknown, Set<string>>();
	/** Map keys this update may change (a permitted second value), per container. */
	readonly #changedKeys = new Map<unknown, Set<string>>();
	/** The parents of incoming items found so far. */
	readonly #parents = new Map<Item, Parent>();
	readonly #incomingCount: number;

	constructor(
		doc: Y.Doc,
		decoded: DecodedUpdate,
		rules: DocRules | null,
		writer: Writer,
		target: WriteTarget
	) {
		this.#doc = doc;
		this.#rules = rules;
		this.#writer = writer;
		this.#target = target;
		this.#incomingCount = decoded.structs.length;
		for (const struct of decoded.structs) {
			const list = this.#incoming.get(struct.id.client);
			if (list) list.push(struct);
			else this.#incoming.set(struct.id.client, [struct]);
		}
	}

	#state(client: number): number {
		return Y.getState(this.#doc.store, client);
	}

	/** The struct holding `id`: the document's, else this update's; missing → refused. */
	#find(id: Y.ID, path: string): { struct: Item | Y.GC; stored: boolean } {
		const stored = findStruct(
			this.#doc.store.clients.get(id.client) as (Item | Y.GC)[] | undefined,
			id.clock
		);
		if (stored) return { struct: stored, stored: true };
		const incoming = findStruct(this.#incoming.get(id.client), id.clock);
		if (incoming && !(incoming instanceof Y.Skip))
			return { struct: incoming as Item | Y.GC, stored: false };
		throw new Refused('missing_dependency', path);
	}

	/** The place of a type item (its content a ContentType): the rule its content must follow. */
	#containerPlace(typeItem: Item, stored: boolean): Place {
		const place = this.#place(typeItem, stored);
		if (place.text) return place;
		const content = typeItem.content;
		const kind = content instanceof Y.ContentType ? typeKind(content.type) : null;
		if (kind === null || kind !== place.rule.type) throw new Refused('shape', place.path);
		return kind === 'text' ? { ...place, text: true } : place;
	}

	/** The container an item sits in: a root type by name, or a type item; and its map key. */
	#parentOf(item: Item, stored: boolean, path: string): Parent {
		if (stored) return this.#storedParent(item);
		// An incoming item without parent info takes its neighbour's parent and key, and that
		// neighbour may be incoming too: walk the chain once and remember the answer for all of
		// it (a chain of n items costs n steps, not n²; no recursion depth to overflow).
		const chain: Item[] = [];
		let current = item;
		let parent: Parent | undefined;
		while (parent === undefined) {
			parent = this.#parents.get(current);
			if (parent !== undefined) break;
			if (current.parent !== null) {
				parent = this.#explicitParent(current, path);
				break;
			}
			const neighbour = current.origin ?? current.rightOrigin;
			if (!neighbour) throw new Refused('shape', path);
			const found = this.#find(neighbour, path);
			if (!(found.struct instanceof Y.Item)) throw new Refused('missing_dependency', path);
			chain.push(current);
			// Incoming items pointing at each other in a ring: Yjs would wait for ever.
			if (chain.length > this.#incomingCount) throw new Refused('missing_dependency', path);
			if (found.stored) parent = this.#storedParent(found.struct);
			else current = found.struct;
		}
		for (const link of chain) this.#parents.set(link, parent);
		this.#parents.set(current, parent);
		return parent;
	}

	#storedParent(item: Item): Parent {
		const type = item.parent as Y.AbstractType<unknown>;
		const key = item.parentSub;
		if (type._item === null)
			return { container: this.#rootPlace(Y.findRootTypeKey(type)), key, type };
		return { container: this.#containerPlace(type._item, true), key, type };
	}

	/** The parent of an incoming item that names it: a root type by name, or a type item's id. */
	#explicitParent(item: Item, path: string): Parent {
		const parent = item.parent as unknown;
		if (typeof parent === 'string') {
			return {
				container: this.#rootPlace(parent),
				key: item.parentSub,
				type: this.#doc.share.get(parent) ?? parent
			};
		}
		if (!(parent instanceof Y.ID)) throw new Refused('shape', path);
		const found = this.#find(parent, path);
		if (!(found.struct instanceof Y.Item)) throw new Refused('shape', path);
		const type =
			found.stored && found.struct.content instanceof Y.ContentType
				? found.struct.content.type
				: found.struct;
		return {
			container: this.#containerPlace(found.struct, found.stored),
			key: item.parentSub,
			type
		};
	}

	#rootPlace(name: string): Place {
		if (name === ATTESTATION_ROOT) throw new Refused('not_permitted', name);
		const roots = this.#rules?.roots ?? {};
		const rule = Object.hasOwn(roots, name) ? roots[name] : undefined;
		if (!rule) throw new Refused('shape', name);
		return { rule, path: name, text: rule.type === 'text' };
	}

	/** The place of `item` itself: its container's rule for its key or slot. */
	#place(item: Item, stored: boolean, parent?: Parent): Place {
		const known = this.#places.get(item);
		if (known) return known;
		const { container, key } =
			parent ?? this.#parentOf(item, stored, `${item.id.client}:${item.id.clock}`);
		let place: Place;
		if (container.text) place = container;
		else {
			const rule = container.rule;
			const path = `${container.path}/${key ?? '[]'}`;
			let child: Rule | null = null;
			if (rule.type === 'map' && key !== null) child = rule.child(key, item.id.client);
			else if (rule.type === 'array' && key === null) child = rule.item;
			if (!child) throw new Refused('shape', path);
			place = { rule: child, path, text: false };
		}
		this.#places.set(item, place);
		return place;
	}

	/** Checks a struct the relay lacks (all of it, or its part past the stored state). */
	checkNew(item: Item): void {
		const parent = this.#parentOf(item, false, `${item.id.client}:${item.id.clock}`);
		const { container, key, type } = parent;
		const place = this.#place(item, false, parent);
		const w = this.#writer;
		const t = this.#target;
		if (container.text) {
			const rule = container.rule;
			if (!(rule.type === 'text' && rule.edit(w, t)))
				throw new Refused('not_permitted', place.path);
			if (item.content instanceof Y.ContentDoc) throw new Refused('shape', place.path);
			return;
		}
		const rule = place.rule;
		// A second value at a map key replaces the first: that is a change, not a creation.
		if (key !== null) {
			const existing = type instanceof Y.AbstractType ? type._map.get(key) : undefined;
			let keys = this.#newKeys.get(type);
			if (!keys) this.#newKeys.set(type, (keys = new Set()));
			const replaces = (existing !== undefined && !existing.deleted) || keys.has(key);
			keys.add(key);
			if (replaces) {
				if (!rule.change?.(w, t)) throw new Refused('history', place.path);
				let changed = this.#changedKeys.get(type);
				if (!changed) this.#changedKeys.set(type, (changed = new Set()));
				changed.add(key);
			} else if (!rule.create(w, t)) throw new Refused('not_permitted', place.path);
		} else if (!rule.create(w, t)) throw new Refused('not_permitted', place.path);
		const content = item.content;
		if (content instanceof Y.ContentDeleted) {
			// A value already deleted by the sender: at a map key it may change, the value that lost
			// to another (Yjs keeps one per key); anywhere else, a removal.
			if (key !== null && this.#changedKeys.get(type)?.has(key)) return;
			if (!rule.remove?.(w, t)) throw new Refused('history', place.path);
			return;
		}
		if (content instanceof Y.ContentType) {
			const kind = typeKind(content.type);
			if (kind === null || kind !== rule.type) throw new Refused('shape', place.path);
			return;
		}
		if (rule.type !== 'value' || !(content instanceof Y.ContentAny))
			throw new Refused('shape', place.path);
		if (rule.check) {
			for (const value of content.arr) {
				const refusal = rule.check(value, w, t);
				if (refusal) throw new Refused(refusal, place.path);
			}
		}
	}

	/** Checks that the writer may remove the item at `clock` of `client` (and what follows in it). */
	checkRemoved(client: number, clock: number, end: number): void {
		const w = this.#writer;
		const t = this.#target;
		while (clock < end) {
			const path = `${client}:${clock}`;
			const { struct, stored } = this.#find(Y.createID(client, clock), path);
			clock = struct.id.clock + struct.length;
			if (!(struct instanceof Y.Item) || (stored && struct.deleted)) continue;
			// Of two values at one map key Yjs keeps one and deletes the other, on every replica; a
			// sender that integrated both (a tombstone set on two phones) sends that deletion. It is
			// part of the permitted change of that key, not a removal.
			if (struct.parentSub !== null) {
				const { type, key } = this.#parentOf(struct, stored, path);
				if (key !== null && this.#changedKeys.get(type)?.has(key)) continue;
			}
			const place = this.#place(struct, stored);
			if (place.text) {
				const rule = place.rule;
				if (!(rule.type === 'text' && rule.edit(w, t)))
					throw new Refused('not_permitted', place.path);
			} else if (!place.rule.remove?.(w, t)) throw new Refused('history', place.path);
		}
	}

	/**
	 * Replays, on clocks alone, the order in which Yjs integrates the update's structs
	 * (`integrateStructs` and `Item.getMissing` in yjs/src/utils/encoding.js and Item.js): a struct
	 * waits while its left neighbour, its right neighbour or its parent (of another client) lies
	 * past that client's state, and Yjs then takes that client's next struct of the update first.
	 * Whatever would still wait at the end, Yjs keeps pending: refused. A reference to a later
	 * clock of the struct's own client (Yjs never waits for it, and fails mid-integration) is
	 * refused too. Run after the clock-gap check (no Skip, no gap past the state).
	 */
	#checkNothingWaits(): void {
		const state = new Map<number, number>();
		const stateOf = (client: number) => state.get(client) ?? this.#state(client);
		const queues = new Map<number, { refs: Struct[]; i: number }>();
		for (const [client, refs] of this.#incoming) queues.set(client, { refs, i: 0 });
		const ids = [...queues.keys()].sort((a, b) => a - b);
		/** The client a struct waits for, or null. */
		const missing = (struct: Struct): number | null => {
			if (!(struct instanceof Y.Item)) return null;
			const own = struct.id.client;
			const parent = struct.parent instanceof Y.ID ? struct.parent : null;
			for (const ref of [struct.origin, struct.rightOrigin, parent]) {
				if (!ref) continue;
				if (ref.client === own) {
					if (ref.clock >= Math.min(stateOf(own), struct.id.clock))
						throw new Refused('missing_dependency', `${own}:${struct.id.clock}`);
				} else if (ref.clock >= stateOf(ref.client)) return ref.client;
			}
			return null;
		};
		const nextQueue = () => {
			while (ids.length > 0) {
				const queue = queues.get(ids[ids.length - 1]!)!;
				if (queue.i < queue.refs.length) return queue;
				ids.pop();
			}
			return null;
		};
		const stack: Struct[] = [];
		let current = nextQueue();
		if (!current) return;
		let head: Struct = current.refs[current.i++]!;
		for (;;) {
			const client = head.id.client;
			const offset = stateOf(client) - head.id.clock;
			if (offset < 0) throw new Refused('missing_dependency', `${client}:${head.id.clock}`);
			const waitsFor = missing(head);
			if (waitsFor !== null) {
				stack.push(head);
				// Yjs holds the whole stack pending when the awaited client has nothing left here
				// (also when it already took that client's structs: a cycle).
				const queue = queues.get(waitsFor);
				if (!queue || queue.i >= queue.refs.length)
					throw new Refused('missing_dependency', `${client}:${head.id.clock}`);
				head = queue.refs[queue.i++]!;
				continue;
			}
			if (offset < head.length) state.set(client, head.id.clock + head.length);
			if (stack.length > 0) head = stack.pop()!;
			else if (current && current.i < current.refs.length) head = current.refs[current.i++]!;
			else {
				current = nextQueue();
				if (!current) return;
				head = current.refs[current.i++]!;
			}
		}
	}

	run(decoded: DecodedUpdate): Map<number, number> {
		const unattested = new Map<number, number>();
		for (const [client, structs] of this.#incoming) {
			const state = this.#state(client);
			let expected = state;
			for (const struct of structs) {
				const end = struct.id.clock + struct.length;
				const path = `${client}:${struct.id.clock}`;
				// No Yjs encoder writes an empty struct; Yjs would integrate one at the client's
				// state (replacing a map key's value) while it looks already known here.
				if (struct.length === 0) throw new Refused('shape', path);
				if (end <= state) continue;
				if (struct.id.clock > expected || struct instanceof Y.Skip)
					throw new Refused('missing_dependency', path);
				expected = Math.max(expected, end);
			}
			if (expected === state) continue;
			if (client === this.#doc.clientID) throw new Refused('foreign_client', `${client}`);
			const attestation = attestationOf(this.#doc, client);
			if (attestation) {
				if (attestedMember(attestation, state) !== this.#writer.memberId) {
					throw new Refused('foreign_client', `${client}`);
				}
			} else unattested.set(client, state);
		}
		this.#checkNothingWaits();
		// Every deleted range lies within what the relay has or this update brings (Yjs would keep
		// the rest as a pending delete set), and deletes something (no encoder writes an empty
		// range; Yjs would keep one past the state pending too).
		for (const [client, ranges] of decoded.ds.clients) {
			const incoming = this.#incoming.get(client);
			const last = incoming?.[incoming.length - 1];
			const known = Math.max(this.#state(client), last ? last.id.clock + last.length : 0);
			for (const range of ranges) {
				const path = `${client}:${range.clock}`;
				if (range.len <= 0) throw new Refused('shape', path);
				if (range.clock + range.len > known) throw new Refused('missing_dependency', path);
			}
		}
		if (this.#rules === null) return unattested;
		for (const [client, structs] of this.#incoming) {
			const state = this.#state(client);
			for (const struct of structs) {
				if (struct.id.clock + struct.length <= state || !(struct instanceof Y.Item)) continue;
				this.checkNew(struct);
			}
		}
		for (const [client, ranges] of decoded.ds.clients) {
			for (const range of ranges) this.checkRemoved(client, range.clock, range.clock + range.len);
		}
		return unattested;
	}
}

type Item = Y.Item;

/**
 * Checks `decoded` (the update a writer sent) against `rules` over the relay's current document
 * (with null rules, only the attestation of its client ids and that nothing is missing).
 * Never throws; never changes `doc`.
 */
export function checkUpdate(
	doc: Y.Doc,
	decoded: DecodedUpdate,
	rules: DocRules | null,
	writer: Writer,
	target: WriteTarget
): GuardVerdict {
	try {
		const unattested = new Inspection(doc, decoded, rules, writer, target).run(decoded);
		return { ok: true, unattested };
	} catch (error) {
		if (error instanceof Refused) return { ok: false, reason: error.reason, path: error.path };
		// Anything Yjs could not make sense of is not a well-formed update for this document.
		return { ok: false, reason: 'shape', path: '' };
	}
}
