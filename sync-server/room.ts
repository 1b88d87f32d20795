/**
 * A room: one loaded document (Y.Doc + awareness) and the connections editing it.
 *
 * Invariants:
 * - The Y.Doc holds everything stored for the document before any peer is attached.
 * - Every update the doc emits is queued for storage at once (except one applied with
 *   `applyRemote`: stored already, by another relay of the cluster; but what such an apply
 *   integrates of the room's pending content is queued) and sent to every other
 *   peer, never back to the peer it came from. Sending waits for the end of the event-loop turn: the updates
 *   of one turn go to each peer as ONE message (merged), so a subscriber applies one update per
 *   burst instead of one per edit, and the relay writes one frame per peer (docs/benchmarks.md).
 *   The outbox is always sent before anything that could depend on it: a persisted
 *   confirmation, or a new peer's attach.
 * - A persisted confirmation carries a state vector of durable data only: the doc's state at a
 *   commit, once that commit was synced (`committed`), or the doc's state when nothing of this
 *   room is unconfirmed (`confirmIfSettled`). After a storage failure the room is never
 *   confirmed again: its peers are closed and it is unloaded.
 * - Yjs "pending" content (structs and deletions whose dependencies the relay lacks) never
 *   exceeds `maxPendingBytes` after an update: the peer whose update pushed it past is closed
 *   with 4413 and all pending content is dropped; every other attached peer that left some
 *   pending is sent a sync step 1, so it resends what the relay lacks. Pending content is not
 *   counted by the document size cap, yet Yjs appends it to every snapshot and sync step 2.
 * - Awareness metadata (y-protocols never forgets it on its own) stays bounded. Each client id
 *   belongs to the peer that last advanced its clock. A connection may introduce at most
 *   `MAX_AWARENESS_IDS` ids the room does not know over its lifetime (4400 beyond); entries
 *   that remove an unknown id are dropped, since they would only create metadata. When a peer
 *   leaves, the states of its ids are removed and their metadata is kept as a tombstone for
 *   `awarenessTombstoneMs` (at most MAX_AWARENESS_TOMBSTONES), so that other y-websocket
 *   clients, which echo every awareness change they see, cannot bring them back meanwhile.
 * - Awareness changes are paced like document updates: the ids added, renewed or removed during
 *   a broadcast interval go to every peer (their senders included) as ONE awareness update of
 *   their states at send time, so a room whose clients renew together (y-websocket: every 15 s)
 *   costs one message per peer per interval, not one per client; a removal waits at most one
 *   interval. Tombstone clocks make a removal sent this way final, as before.
 * - Cluster mode, documents: the room knows nothing of the fast path (another relay's update
 *   sent on to the peers before it is durable: cluster/forwarded.ts) but two optional hooks:
 *   `checkAgainLater`, which may hold a peer's update whose check failed, and `alreadySent`,
 *   the peers a remote apply's update is not sent to again (they received all of it by the
 *   fast path). The embedded relay's rooms have neither.
 * - Cluster mode: the changes made on this relay during an interval also go, as one update, to
 *   `onLocalAwareness` (for the other relays); changes from other relays (`applyRemoteAwareness`)
 *   go to the local peers only, so nothing bounces between relays.
 * - Presence is not believed forever: a state not renewed for `presenceTimeoutMs` (default
 *   PRESENCE_TIMEOUT_MS, src/lib/wire/presence.ts) is removed and the removal broadcast, so a
 *   peer that lost signal (its socket not yet found dead) disappears for everyone, and is not
 *   handed to a newcomer as if it were fresh.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import {
	ATTESTATION_ROOT,
	PRESENCE_TIMEOUT_MS,
	RELAY_MEMBER,
	nextPresenceExpiry,
	parseDocName,
	stalePresence,
	type DocRules,
	type WriteTarget,
	type Writer
} from '../src/lib/wire/index.ts';
import * as Y from 'yjs';
import {
	CLOSE,
	encodeAwareness,
	encodePersisted,
	encodeSyncStep1,
	encodeSyncUpdate
} from './protocol.ts';
import { Pacer } from './pacer.ts';
import type { StoredDoc } from './storage/types.ts';
import { checkUpdate, type GuardVerdict } from './write-guard.ts';
import { writeRulesOf } from '../src/lib/wire/write-rules-of.ts';
import type { DecodedUpdate } from './protocol.ts';

/** What a room needs from a connection. */
export interface Peer {
	/** True once the peer sent the persisted-subscribe message. */
	wantsPersisted: boolean;
	/** The member whose updates this peer sends (attested authorship); null for a service. */
	readonly writer?: Writer | null;
	send(message: Uint8Array): void;
	close(code: number, reason: string): void;
}

export type RoomHooks = {
	/**
	 * Queue an update the doc emitted for the next storage commit, with the member the relay
	 * authenticated for it (RELAY_MEMBER for its own attestations; null for a service writer).
	 */
	enqueue(room: Room, update: Uint8Array, author: string | null): void;
	/** The last peer left. */
	onEmpty(room: Room): void;
	/**
	 * Cluster mode: the awareness changes made on this relay (not by `applyRemoteAwareness`)
	 * during one broadcast interval, as one awareness update, for the other relays.
	 */
	onLocalAwareness?(room: Room, update: Uint8Array): void;
	/** Cluster mode: may hold a peer's update for another check (cluster/forwarded.ts). */
	checkAgainLater?: CheckAgainLater;
	/**
	 * Cluster mode: the peers that hold `update` already (another relay's update the fast path
	 * sent them, cluster/forwarded.ts), asked for each update a remote apply emits; it is sent
	 * to every other peer only. Null: none.
	 */
	alreadySent?(update: Uint8Array): ReadonlySet<Peer> | null;
};

/**
 * Given the verdict of a peer's update's check, true if it keeps the update and will call
 * `retry` (which checks it again); false: the caller acts on the verdict now.
 */
export type CheckAgainLater = (verdict: GuardVerdict, bytes: number, retry: () => void) => boolean;

export type ApplyResult = 'applied' | 'duplicate' | 'invalid' | 'too-large' | 'too-much-pending';

export type AwarenessResult = 'applied' | 'echo' | 'invalid' | 'too-many-ids' | 'rate-limited';

export type RoomLimits = {
	/** Approximate stored size cap (snapshot plus log rows). */
	maxDocBytes: number;
	/** Cap on Yjs pending structs plus pending deletions, in bytes. */
	maxPendingBytes: number;
	/** How long the awareness metadata of a departed peer's ids is kept. Default 30 s. */
	awarenessTombstoneMs?: number;
	/** A peer's presence not renewed for this long is removed. Default PRESENCE_TIMEOUT_MS. */
	presenceTimeoutMs?: number;
	/**
	 * Least time between two broadcasts of a room's updates, and of its awareness changes, in ms
	 * (default 0: once per event-loop turn). The first after a quiet spell still goes at the end
	 * of its turn.
	 */
	broadcastIntervalMs?: number;
};

/** Unknown awareness client ids one connection may introduce (y-websocket introduces its own). */
export const MAX_AWARENESS_IDS = 4;
/** Most departed awareness ids whose metadata a room keeps; the oldest go first. */
export const MAX_AWARENESS_TOMBSTONES = 1024;

type AwarenessEntry = {
	id: number;
	clock: number;
	/** Where the entry's state (a length-prefixed JSON string) starts in the update. */
	at: number;
	/** The state's JSON and its value, once read (`readState`). */
	json?: string;
	state?: unknown;
};

/**
 * The ids and clocks of an awareness update's entries, or null when it cannot be read. Their
 * states are skipped, not decoded: an echo needs none of them (`readState` reads one).
 */
function awarenessEntries(update: Uint8Array): AwarenessEntry[] | null {
	try {
		const decoder = decoding.createDecoder(update);
		const count = decoding.readVarUint(decoder);
		const entries: AwarenessEntry[] = [];
		for (let i = 0; i < count; i++) {
			const id = decoding.readVarUint(decoder);
			const clock = decoding.readVarUint(decoder);
			const at = decoder.pos;
			const length = decoding.readVarUint(decoder);
			if (decoder.pos + length > update.length) return null;
			decoder.pos += length;
			entries.push({ id, clock, at });
		}
		return decoding.hasContent(decoder) ? null : entries;
	} catch {
		return null;
	}
}

/** Reads (once) the state of `entry`; false when it is not JSON. */
function readState(update: Uint8Array, entry: AwarenessEntry): boolean {
	if (entry.json !== undefined) return true;
	try {
		const decoder = decoding.createDecoder(update);
		decoder.pos = entry.at;
		const json = decoding.readVarString(decoder);
		entry.state = JSON.parse(json) as unknown;
		entry.json = json;
		return true;
	} catch {
		return false;
	}
}

function encodeAwarenessEntries(entries: AwarenessEntry[]): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, entries.length);
	for (const { id, clock, json } of entries) {
		encoding.writeVarUint(encoder, id);
		encoding.writeVarUint(encoder, clock);
		encoding.writeVarString(encoder, json!);
	}
	return encoding.toUint8Array(encoder);
}

const ORIGIN_LOAD = Symbol('load');
/** The relay's own writes: attestations. */
const ORIGIN_RELAY = Symbol('relay');
/** Updates stored already by another relay of the cluster (cluster/cluster-rooms.ts). */
const ORIGIN_REMOTE = Symbol('remote');

export class Room {
	readonly name: string;
	readonly doc = new Y.Doc();
	/** The document's kind and id, and its write rules (null: contents not checked). */
	readonly target: WriteTarget | null;
	readonly rules: DocRules | null;
	readonly awareness: awarenessProtocol.Awareness;
	readonly peers = new Set<Peer>();
	/** Updates emitted but not yet confirmed (committed and synced). */
	pendingUpdates = 0;
	/** Log rows stored after the latest snapshot. */
	logRows: number;
	/** Highest sequence number stored for this document. */
	lastSeq: number;
	/** Approximate stored size: snapshot plus log rows, in bytes. */
	approxBytes: number;
	failed = false;
	/**
	 * The stored document as one update, kept while the doc is exactly what was loaded: a new
	 * joiner (empty state vector) is sent these bytes as they are, instead of the doc encoded
	 * again (a 10 MB document: tens of ms of CPU and twice its size in garbage). Null once the
	 * doc changes, or when storage held more than one part.
	 */
	#loadedState: Uint8Array | null;
	#hooks: RoomHooks;
	#limits: RoomLimits;
	#emitted = false;
	/** Updates emitted this turn, the peer each came from and the peers holding it, for `flush`. */
	#outbox: { update: Uint8Array; origin: unknown; sent: ReadonlySet<Peer> | null }[] = [];
	#pacer: Pacer;
	/** Awareness ids changed (added, renewed, removed) since the last awareness send. */
	#awarenessChanged = new Set<number>();
	/** Of those, the ids changed on this relay (for `onLocalAwareness`). */
	#awarenessLocal = new Set<number>();
	#awarenessPacer: Pacer;
	/** Peers whose updates left something pending since pending content was last empty. */
	#pendingFrom = new Set<Peer>();
	/** Awareness client id → the peer that last advanced its clock. */
	#owner = new Map<number, Peer>();
	/** Awareness ids each peer owns, and how many unknown ids it introduced in its lifetime. */
	#owned = new Map<Peer, Set<number>>();
	#introduced = new Map<Peer, number>();
	/** Departed awareness ids → when their metadata may go, oldest first. */
	#tombstones = new Map<number, number>();
	#tombstoneTimer: NodeJS.Timeout | null = null;
	/** The hook of the same name (cluster mode); undefined in the embedded relay. */
	readonly checkAgainLater: CheckAgainLater | undefined;

	constructor(name: string, stored: StoredDoc, hooks: RoomHooks, limits: RoomLimits) {
		this.name = name;
		const parsed = parseDocName(name);
		this.target = parsed.ok ? { kind: parsed.value.kind, id: parsed.value.id } : null;
		this.rules = this.target ? writeRulesOf(this.target) : null;
		this.#hooks = hooks;
		this.checkAgainLater = hooks.checkAgainLater;
		this.#limits = limits;
		this.#pacer = new Pacer(this.flush, limits.broadcastIntervalMs);
		this.#awarenessPacer = new Pacer(this.#flushAwareness, limits.broadcastIntervalMs);
		this.logRows = stored.updates.length;
		this.lastSeq = stored.lastSeq;
		this.approxBytes = stored.updates.reduce((sum, u) => sum + u.length, 0);
		this.doc.transact(() => {
			if (stored.snapshot) Y.applyUpdate(this.doc, stored.snapshot, ORIGIN_LOAD);
			for (const update of stored.updates) Y.applyUpdate(this.doc, update, ORIGIN_LOAD);
		}, ORIGIN_LOAD);
		this.approxBytes += stored.snapshot?.length ?? 0;
		// The relay writes attestations under a client id no one has written with.
		while (
			Y.getState(this.doc.store, this.doc.clientID) > 0 ||
			this.#attestations().has(String(this.doc.clientID))
		) {
			this.doc.clientID = Math.floor(Math.random() * 0xffffffff) >>> 0;
		}
		const parts = stored.snapshot ? [stored.snapshot, ...stored.updates] : stored.updates;
		this.#loadedState = parts.length === 1 ? (parts[0] ?? null) : null;
		this.doc.on('update', this.#onDocUpdate);
		this.awareness = new awarenessProtocol.Awareness(this.doc);
		// The relay itself has no presence.
		this.awareness.setLocalState(null);
		this.awareness.on('update', this.#onAwarenessUpdate);
	}

	#onDocUpdate = (update: Uint8Array, origin: unknown): void => {
		this.#emitted = true;
		this.#loadedState = null;
		this.approxBytes += update.length;
		if (origin !== ORIGIN_REMOTE) {
			const author =
				origin === ORIGIN_RELAY
					? RELAY_MEMBER
					: ((origin as Peer | null)?.writer?.memberId ?? null);
			this.#store(update, author);
		}
		const sent = origin === ORIGIN_REMOTE ? (this.#hooks.alreadySent?.(update) ?? null) : null;
		this.#outbox.push({ update, origin, sent });
		this.#pacer.request();
	};

	#store(update: Uint8Array, author: string | null): void {
		this.pendingUpdates++;
		this.#hooks.enqueue(this, update, author);
	}

	/**
	 * Applies an update that is durable already (another relay of the cluster stored it, or a
	 * reload after a gap): sent on to every peer (but those the `alreadySent` hook names), never
	 * queued for storage again. Except what
	 * it integrates of the room's pending content: a local peer's edit that waited for this
	 * update (it built on what another relay forwarded early) is integrated inside
	 * this transaction, so that part (the transaction's update less `update`'s own structs) is
	 * queued for storage here, confirmed like any local edit once its append is durable. (Another
	 * relay's update forwarded early, cluster/forwarded.ts, is never applied: it comes here from
	 * its stream entry.)
	 */
	applyRemote(update: Uint8Array): void {
		const store = this.doc.store;
		const before = { structs: store.pendingStructs?.update, ds: store.pendingDs };
		if (!before.structs && !before.ds) {
			Y.applyUpdate(this.doc, update, ORIGIN_REMOTE);
			return;
		}
		const emitted: Uint8Array[] = [];
		const capture = (u: Uint8Array): void => void emitted.push(u);
		this.doc.on('update', capture);
		try {
			Y.applyUpdate(this.doc, update, ORIGIN_REMOTE);
		} finally {
			this.doc.off('update', capture);
		}
		const authors = new Set([...this.#pendingFrom].map((peer) => peer.writer?.memberId ?? null));
		if (this.pendingBytes === 0) this.#pendingFrom.clear();
		const integrated =
			emitted.length > 0 &&
			(store.pendingStructs?.update !== before.structs || store.pendingDs !== before.ds);
		if (!integrated) return;
		// Pending content changed, so some of it was integrated (or a pending deletion applied).
		const transaction = emitted.length === 1 ? emitted[0]! : Y.mergeUpdates(emitted);
		const own = Y.diffUpdate(transaction, Y.encodeStateVectorFromUpdate(update));
		this.#store(own, authors.size === 1 ? [...authors][0]! : null);
	}

	/**
	 * Sends the updates emitted since the last flush: one message per peer, holding the updates
	 * that did not come from that peer and that it does not hold already (`alreadySent`; merged
	 * when there are several). Safe to call any time.
	 */
	flush = (): void => {
		this.#pacer.cancel();
		const outbox = this.#outbox;
		if (outbox.length === 0) return;
		this.#outbox = [];
		this.#pacer.ran();
		if (outbox.length === 1) {
			const { update, origin, sent } = outbox[0]!;
			const message = encodeSyncUpdate(update);
			for (const peer of this.peers) if (peer !== origin && !sent?.has(peer)) peer.send(message);
			return;
		}
		const origins = new Set(outbox.map((entry) => entry.origin));
		const holding = outbox.filter((entry) => entry.sent !== null);
		const skips = (entry: (typeof outbox)[number], peer: Peer): boolean =>
			entry.origin === peer || entry.sent?.has(peer) === true;
		const merged = (entries: typeof outbox): Uint8Array | null =>
			entries.length === 0
				? null
				: encodeSyncUpdate(
						entries.length === 1
							? entries[0]!.update
							: Y.mergeUpdates(entries.map((entry) => entry.update))
					);
		let all: Uint8Array | null | undefined;
		// Peers that skip the same updates get the same message: keyed by what each skips.
		const some = new Map<string, Uint8Array | null>();
		for (const peer of this.peers) {
			let message: Uint8Array | null | undefined;
			if (!origins.has(peer) && !holding.some((entry) => entry.sent!.has(peer))) {
				message = all ??= merged(outbox);
			} else {
				const key = outbox.map((entry) => (skips(entry, peer) ? '-' : '+')).join('');
				message = some.get(key);
				if (message === undefined) {
					message = merged(outbox.filter((entry) => !skips(entry, peer)));
					some.set(key, message);
				}
			}
			if (message) peer.send(message);
		}
	};

	#onAwarenessUpdate = (
		changes: {
			added: number[];
			updated: number[];
			removed: number[];
		},
		origin: unknown
	): void => {
		for (const ids of [changes.added, changes.updated, changes.removed])
			for (const id of ids) {
				this.#awarenessChanged.add(id);
				if (origin !== ORIGIN_REMOTE) this.#awarenessLocal.add(id);
			}
		// The next expiry is looked for once per send (#flushAwareness), not once per renewal.
		this.#awarenessPacer.request();
	};

	/**
	 * Sends the awareness changes since the last send, as ONE update over the changed ids with
	 * their current states (a removal as its tombstone clock), to every peer.
	 */
	#flushAwareness = (): void => {
		this.#awarenessPacer.cancel();
		const meta = this.awareness.meta;
		// An id whose metadata went meanwhile (an expired tombstone) has nothing left to say.
		const ids = [...this.#awarenessChanged].filter((id) => meta.has(id));
		const local = [...this.#awarenessLocal].filter((id) => meta.has(id));
		this.#awarenessChanged.clear();
		this.#awarenessLocal.clear();
		this.#schedulePresenceCheck();
		if (local.length > 0 && this.#hooks.onLocalAwareness) {
			this.#hooks.onLocalAwareness(
				this,
				awarenessProtocol.encodeAwarenessUpdate(this.awareness, local)
			);
		}
		if (ids.length === 0) return;
		this.#awarenessPacer.ran();
		const message = encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, ids));
		// Sent to everyone including the senders, like y-websocket's server: the echo keeps the
		// client's 30 s "no message received" watchdog fed.
		for (const peer of this.peers) peer.send(message);
	};

	attach(peer: Peer): void {
		// What is in the outbox is in the doc already: the new peer gets it with its sync step 2.
		this.flush();
		this.peers.add(peer);
		peer.send(encodeSyncStep1(Y.encodeStateVector(this.doc)));
		const states = [...this.awareness.getStates().keys()];
		if (states.length > 0) {
			peer.send(encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, states)));
		}
	}

	detach(peer: Peer): void {
		if (!this.peers.delete(peer)) return;
		this.#pendingFrom.delete(peer);
		this.#introduced.delete(peer);
		if (!this.failed) this.#forgetAwareness(peer);
		if (this.peers.size === 0 && !this.failed) this.#hooks.onEmpty(this);
	}

	#presenceTimer: ReturnType<typeof setTimeout> | null = null;
	#presenceDue = 0;

	/** Arms one timer for the next state to go stale (none when no peer has a state). */
	#schedulePresenceCheck(): void {
		const timeout = this.#limits.presenceTimeoutMs ?? PRESENCE_TIMEOUT_MS;
		const a = this.awareness;
		const due = nextPresenceExpiry(a.meta, a.states, a.clientID, timeout);
		if (due === null) {
			if (this.#presenceTimer) clearTimeout(this.#presenceTimer);
			this.#presenceTimer = null;
			return;
		}
		if (this.#presenceTimer && this.#presenceDue <= due) return;
		if (this.#presenceTimer) clearTimeout(this.#presenceTimer);
		this.#presenceDue = due;
		this.#presenceTimer = setTimeout(this.#dropStalePresence, Math.max(0, due - Date.now()) + 1);
		this.#presenceTimer.unref();
	}

	#dropStalePresence = (): void => {
		this.#presenceTimer = null;
		const timeout = this.#limits.presenceTimeoutMs ?? PRESENCE_TIMEOUT_MS;
		const a = this.awareness;
		const stale = stalePresence(a.meta, a.states, a.clientID, Date.now(), timeout);
		// Broadcast through #onAwarenessUpdate, which also arms the next check.
		if (stale.length > 0) awarenessProtocol.removeAwarenessStates(a, stale, 'timeout');
		else this.#schedulePresenceCheck();
	};

	/** Removes the awareness states of the ids `peer` owns; their metadata becomes tombstones. */
	#forgetAwareness(peer: Peer): void {
		const ids = [...(this.#owned.get(peer) ?? [])];
		this.#owned.delete(peer);
		if (ids.length === 0) return;
		for (const id of ids) this.#owner.delete(id);
		// Tells the other peers (the message needs the clocks, which the tombstones keep).
		awarenessProtocol.removeAwarenessStates(this.awareness, ids, null);
		const until = Date.now() + (this.#limits.awarenessTombstoneMs ?? 30_000);
		for (const id of ids) {
			this.#tombstones.delete(id);
			this.#tombstones.set(id, until);
		}
		this.#pruneTombstones();
	}

	/** Forgets the metadata of expired tombstones (and of the oldest, above the cap). */
	#pruneTombstones = (): void => {
		const now = Date.now();
		for (const [id, until] of this.#tombstones) {
			if (until > now && this.#tombstones.size <= MAX_AWARENESS_TOMBSTONES) break;
			this.#tombstones.delete(id);
			if (!this.#owner.has(id) && !this.awareness.states.has(id)) this.awareness.meta.delete(id);
		}
		if (this.#tombstoneTimer) clearTimeout(this.#tombstoneTimer);
		this.#tombstoneTimer = null;
		const next = this.#tombstones.values().next();
		if (next.done) return;
		this.#tombstoneTimer = setTimeout(this.#pruneTombstones, Math.max(0, next.value - now) + 1);
		this.#tombstoneTimer.unref();
	};

	#setOwner(id: number, peer: Peer): void {
		const previous = this.#owner.get(id);
		if (previous === peer) return;
		if (previous) this.#owned.get(previous)?.delete(id);
		this.#owner.set(id, peer);
		let owned = this.#owned.get(peer);
		if (!owned) this.#owned.set(peer, (owned = new Set()));
		owned.add(id);
		this.#tombstones.delete(id);
	}

	/** Bytes of content Yjs holds back until its dependencies arrive. */
	get pendingBytes(): number {
		const store = this.doc.store;
		return (store.pendingStructs?.update.length ?? 0) + (store.pendingDs?.length ?? 0);
	}

	/**
	 * Drops all pending content after `culprit` pushed it past the cap. What its update
	 * integrated stays (it was emitted, stored and sent on); the other peers that left some
	 * pending content are sent a sync step 1, so they resend what the relay lacks.
	 */
	#dropPending(culprit: Peer): void {
		this.#loadedState = null;
		this.doc.store.pendingStructs = null;
		this.doc.store.pendingDs = null;
		const resend = [...this.#pendingFrom].filter((p) => p !== culprit);
		this.#pendingFrom.clear();
		if (resend.length === 0) return;
		const step1 = encodeSyncStep1(Y.encodeStateVector(this.doc));
		for (const other of resend) other.send(step1);
	}

	/** What a peer whose state vector is `stateVector` lacks, as one update (sync step 2). */
	missingFor(stateVector: Uint8Array): Uint8Array {
		if (this.#loadedState !== null && Y.decodeStateVector(stateVector).size === 0) {
			return this.#loadedState;
		}
		return Y.encodeStateAsUpdate(this.doc, stateVector);
	}

	#attestations(): Y.Map<unknown> {
		return this.doc.getMap<unknown>(ATTESTATION_ROOT);
	}

	/**
	 * Checks an update from `writer` against the document's write rules (write-guard.ts); a
	 * service writer (null) is not checked. Changes nothing.
	 */
	check(decoded: DecodedUpdate, writer: Writer | null): GuardVerdict {
		if (writer === null || this.target === null) return { ok: true, unattested: new Map() };
		return checkUpdate(this.doc, decoded, this.rules, writer, this.target);
	}

	/**
	 * Attests `clients` (client id → first clock sent through this connection) to `memberId`, in
	 * the document's attestation map, with the relay's own client id attested first.
	 */
	attest(clients: ReadonlyMap<number, number>, memberId: string): void {
		if (clients.size === 0) return;
		const map = this.#attestations();
		this.doc.transact(() => {
			const own = String(this.doc.clientID);
			if (!map.has(own)) map.set(own, { member: RELAY_MEMBER, from: 0 });
			for (const [client, from] of clients) {
				const key = String(client);
				if (!map.has(key)) map.set(key, { member: memberId, from });
			}
		}, ORIGIN_RELAY);
	}

	/** The update was decoded already; this checks size, applies it and reports what happened. */
	applyUpdate(update: Uint8Array, peer: Peer): ApplyResult {
		if (this.approxBytes + update.length > this.#limits.maxDocBytes) {
			// Near the cap, measure only what is new: a reconnecting client resends its whole state.
			let news: Uint8Array;
			try {
				news = Y.diffUpdate(update, Y.encodeStateVector(this.doc));
			} catch {
				return 'invalid';
			}
			if (this.approxBytes + news.length > this.#limits.maxDocBytes) return 'too-large';
		}
		const store = this.doc.store;
		const before = { structs: store.pendingStructs?.update, ds: store.pendingDs };
		this.#emitted = false;
		try {
			Y.applyUpdate(this.doc, update, peer);
		} catch {
			if (this.pendingBytes > this.#limits.maxPendingBytes) this.#dropPending(peer);
			return 'invalid';
		}
		const bytesAfter = this.pendingBytes;
		if (bytesAfter === 0) this.#pendingFrom.clear();
		else if (bytesAfter > this.#limits.maxPendingBytes) {
			this.#dropPending(peer);
			return 'too-much-pending';
		} else if (store.pendingStructs?.update !== before.structs || store.pendingDs !== before.ds) {
			this.#pendingFrom.add(peer);
		}
		return this.#emitted ? 'applied' : 'duplicate';
	}

	/**
	 * Applies an awareness update from `peer`. Entries that remove an id the room does not know
	 * are dropped (y-protocols would keep metadata for them and report nothing); an update that
	 * would take the peer past MAX_AWARENESS_IDS introduced ids is refused whole. An update that
	 * advances no clock is an echo and is ignored; only one that changes something asks
	 * `mayChange` (the peer's awareness rate limit).
	 */
	applyAwareness(
		update: Uint8Array,
		peer: Peer,
		mayChange: () => boolean = () => true
	): AwarenessResult {
		const entries = awarenessEntries(update);
		if (entries === null) return 'invalid';
		const meta = this.awareness.meta;
		// The state of an id the room does not know is read at once (a removal of it is dropped).
		for (const e of entries) if (!meta.has(e.id) && !readState(update, e)) return 'invalid';
		const kept = entries.filter((e) => meta.has(e.id) || e.state !== null);
		// y-protocols accepts an entry whose clock is ahead (an unknown id counts as clock 0).
		const accepted = kept.filter((e) => (meta.get(e.id)?.clock ?? 0) < e.clock);
		// An echo (y-websocket clients resend every awareness change they see, with the clock
		// the room has) changes nothing: not applied, not counted against the peer's rate, and
		// its states (known ids, clocks not ahead) are not even read. At a renewal every client
		// echoes its whole room's states: reading them was most of the relay's awareness work.
		if (accepted.length === 0) return 'echo';
		for (const e of kept) if (!readState(update, e)) return 'invalid';
		if (!mayChange()) return 'rate-limited';
		const fresh = new Set(accepted.filter((e) => !meta.has(e.id)).map((e) => e.id));
		const introduced = (this.#introduced.get(peer) ?? 0) + fresh.size;
		if (introduced > MAX_AWARENESS_IDS) return 'too-many-ids';
		this.#introduced.set(peer, introduced);
		// The peer that advances an id's clock owns it (its own y-websocket client); echoes of
		// other clients' states carry their current clock and change nothing.
		const advanced = accepted.filter((e) => e.id !== this.awareness.clientID);
		try {
			awarenessProtocol.applyAwarenessUpdate(
				this.awareness,
				kept.length === entries.length ? update : encodeAwarenessEntries(kept),
				peer
			);
		} catch {
			return 'invalid';
		}
		if (this.peers.has(peer)) for (const e of advanced) this.#setOwner(e.id, peer);
		return 'applied';
	}

	/**
	 * Applies awareness changes another relay of the cluster made (`onLocalAwareness` there):
	 * sent to the local peers, never published again. A removed id's metadata is kept as a
	 * tombstone, like that of a local peer's id, and then forgotten. False if it cannot be read.
	 */
	applyRemoteAwareness(update: Uint8Array): boolean {
		const entries = awarenessEntries(update);
		if (entries === null || !entries.every((e) => readState(update, e))) return false;
		try {
			awarenessProtocol.applyAwarenessUpdate(this.awareness, update, ORIGIN_REMOTE);
		} catch {
			return false;
		}
		const removed = entries.filter((e) => e.state === null && !this.#owner.has(e.id));
		if (removed.length === 0) return true;
		const until = Date.now() + (this.#limits.awarenessTombstoneMs ?? 30_000);
		for (const { id } of removed) {
			this.#tombstones.delete(id);
			this.#tombstones.set(id, until);
		}
		this.#pruneTombstones();
		return true;
	}

	/** The awareness states of this relay's own peers as one update (cluster mode); null: none. */
	localAwareness(): Uint8Array | null {
		const ids = [...this.#owner.keys()].filter((id) => this.awareness.states.has(id));
		return ids.length > 0 ? awarenessProtocol.encodeAwarenessUpdate(this.awareness, ids) : null;
	}

	awarenessMessage(): Uint8Array {
		const states = [...this.awareness.getStates().keys()];
		return encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, states));
	}

	/** Sends `peer` the durable state vector now, if nothing of this room is unconfirmed. */
	confirmIfSettled(peer: Peer): void {
		if (!peer.wantsPersisted || this.failed || this.pendingUpdates > 0) return;
		peer.send(encodePersisted(Y.encodeStateVector(this.doc)));
	}

	/** The state vector of the room's document: what a commit right now would make durable. */
	stateVector(): Uint8Array {
		return Y.encodeStateVector(this.doc);
	}

	/** Called when a commit stored `count` of this room's updates (not yet synced). */
	stored(count: number, lastSeq: number): void {
		this.logRows += count;
		this.lastSeq = Math.max(this.lastSeq, lastSeq);
	}

	/**
	 * Called once `count` of this room's updates are durable (committed and synced), with the
	 * room's state vector at their commit: that state is confirmed to the peers that asked.
	 */
	committed(count: number, durableState: Uint8Array): void {
		// A confirmation never reaches a peer before the updates it covers.
		this.flush();
		this.pendingUpdates -= count;
		if (this.failed) return;
		const message = encodePersisted(durableState);
		for (const peer of this.peers) if (peer.wantsPersisted) peer.send(message);
	}

	/** Storage lost some of this room's updates: close every peer so they resend after reload. */
	fail(): void {
		this.failed = true;
		for (const peer of [...this.peers]) peer.close(CLOSE.storageFailure, 'storage failure');
	}

	snapshot(): Uint8Array {
		return Y.encodeStateAsUpdate(this.doc);
	}

	compacted(snapshotBytes: number): void {
		this.logRows = 0;
		this.approxBytes = snapshotBytes;
	}

	destroy(): void {
		this.flush();
		this.#awarenessPacer.cancel();
		if (this.#tombstoneTimer) clearTimeout(this.#tombstoneTimer);
		if (this.#presenceTimer) clearTimeout(this.#presenceTimer);
		this.awareness.off('update', this.#onAwarenessUpdate);
		this.awareness.destroy();
		this.doc.off('update', this.#onDocUpdate);
		this.doc.destroy();
	}
}
