/**
 * A room: one loaded document (Y.Doc + awareness) and the connections editing it.
 *
 * Invariants:
 * - The Y.Doc holds everything stored for the document before any peer is attached.
 * - Every update the doc emits is queued for storage and sent to every other peer, never back
 *   to the peer it came from.
 * - A persisted confirmation carries the doc's state vector only when nothing of this room is
 *   waiting for a commit, so it never covers data that is not on disk. After a storage failure
 *   the room is never confirmed again: its peers are closed and it is unloaded.
 */
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import {
	CLOSE,
	encodeAwareness,
	encodePersisted,
	encodeSyncStep1,
	encodeSyncUpdate
} from './protocol.ts';
import type { StoredDoc } from './storage/types.ts';

/** What a room needs from a connection. */
export interface Peer {
	/** True once the peer sent the persisted-subscribe message. */
	wantsPersisted: boolean;
	/** Awareness client ids this peer has announced; removed when it leaves. */
	readonly awarenessIds: Set<number>;
	send(message: Uint8Array): void;
	close(code: number, reason: string): void;
}

export type RoomHooks = {
	/** Queue an update the doc emitted for the next storage commit. */
	enqueue(room: Room, update: Uint8Array): void;
	/** The last peer left. */
	onEmpty(room: Room): void;
};

export type ApplyResult = 'applied' | 'duplicate' | 'invalid' | 'too-large';

const ORIGIN_LOAD = Symbol('load');

export class Room {
	readonly name: string;
	readonly doc = new Y.Doc();
	readonly awareness: awarenessProtocol.Awareness;
	readonly peers = new Set<Peer>();
	/** Updates emitted but not yet committed. */
	pendingUpdates = 0;
	/** Log rows stored after the latest snapshot. */
	logRows: number;
	/** Highest sequence number stored for this document. */
	lastSeq: number;
	/** Approximate stored size: snapshot plus log rows, in bytes. */
	approxBytes: number;
	failed = false;
	#hooks: RoomHooks;
	#maxDocBytes: number;
	#emitted = false;

	constructor(name: string, stored: StoredDoc, hooks: RoomHooks, maxDocBytes: number) {
		this.name = name;
		this.#hooks = hooks;
		this.#maxDocBytes = maxDocBytes;
		this.logRows = stored.updates.length;
		this.lastSeq = stored.lastSeq;
		this.approxBytes = stored.updates.reduce((sum, u) => sum + u.length, 0);
		this.doc.transact(() => {
			if (stored.snapshot) Y.applyUpdate(this.doc, stored.snapshot, ORIGIN_LOAD);
			for (const update of stored.updates) Y.applyUpdate(this.doc, update, ORIGIN_LOAD);
		}, ORIGIN_LOAD);
		this.approxBytes += stored.snapshot?.length ?? 0;
		this.doc.on('update', this.#onDocUpdate);
		this.awareness = new awarenessProtocol.Awareness(this.doc);
		// The relay itself has no presence.
		this.awareness.setLocalState(null);
		this.awareness.on('update', this.#onAwarenessUpdate);
	}

	#onDocUpdate = (update: Uint8Array, origin: unknown): void => {
		this.#emitted = true;
		this.approxBytes += update.length;
		this.pendingUpdates++;
		this.#hooks.enqueue(this, update);
		const message = encodeSyncUpdate(update);
		for (const peer of this.peers) if (peer !== origin) peer.send(message);
	};

	#onAwarenessUpdate = (
		changes: { added: number[]; updated: number[]; removed: number[] },
		origin: unknown
	): void => {
		const { added, updated, removed } = changes;
		if (origin !== null && typeof origin === 'object' && this.peers.has(origin as Peer)) {
			const peer = origin as Peer;
			for (const id of added) peer.awarenessIds.add(id);
			for (const id of updated) peer.awarenessIds.add(id);
			for (const id of removed) peer.awarenessIds.delete(id);
		}
		const changed = [...added, ...updated, ...removed];
		const message = encodeAwareness(
			awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed)
		);
		// Sent to everyone including the sender, like y-websocket's server: the echo keeps the
		// client's 30 s "no message received" watchdog fed.
		for (const peer of this.peers) peer.send(message);
	};

	attach(peer: Peer): void {
		this.peers.add(peer);
		peer.send(encodeSyncStep1(Y.encodeStateVector(this.doc)));
		const states = [...this.awareness.getStates().keys()];
		if (states.length > 0) {
			peer.send(encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, states)));
		}
	}

	detach(peer: Peer): void {
		if (!this.peers.delete(peer)) return;
		if (peer.awarenessIds.size > 0 && !this.failed) {
			awarenessProtocol.removeAwarenessStates(this.awareness, [...peer.awarenessIds], null);
		}
		if (this.peers.size === 0 && !this.failed) this.#hooks.onEmpty(this);
	}

	/** The update was decoded already; this checks size, applies it and reports what happened. */
	applyUpdate(update: Uint8Array, peer: Peer): ApplyResult {
		if (this.approxBytes + update.length > this.#maxDocBytes) {
			// Near the cap, measure only what is new: a reconnecting client resends its whole state.
			let news: Uint8Array;
			try {
				news = Y.diffUpdate(update, Y.encodeStateVector(this.doc));
			} catch {
				return 'invalid';
			}
			if (this.approxBytes + news.length > this.#maxDocBytes) return 'too-large';
		}
		this.#emitted = false;
		try {
			Y.applyUpdate(this.doc, update, peer);
		} catch {
			return 'invalid';
		}
		return this.#emitted ? 'applied' : 'duplicate';
	}

	/** Applies an awareness update; false when y-protocols cannot read it. */
	applyAwareness(update: Uint8Array, peer: Peer): boolean {
		try {
			awarenessProtocol.applyAwarenessUpdate(this.awareness, update, peer);
			return true;
		} catch {
			return false;
		}
	}

	awarenessMessage(): Uint8Array {
		const states = [...this.awareness.getStates().keys()];
		return encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, states));
	}

	/** Sends `peer` the durable state vector now, if nothing of this room awaits a commit. */
	confirmIfSettled(peer: Peer): void {
		if (!peer.wantsPersisted || this.failed || this.pendingUpdates > 0) return;
		peer.send(encodePersisted(Y.encodeStateVector(this.doc)));
	}

	/** Called right after a commit that stored `count` of this room's updates. */
	committed(count: number, lastSeq: number): void {
		this.pendingUpdates -= count;
		this.logRows += count;
		this.lastSeq = Math.max(this.lastSeq, lastSeq);
		if (this.pendingUpdates > 0 || this.failed) return;
		const message = encodePersisted(Y.encodeStateVector(this.doc));
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
		this.awareness.off('update', this.#onAwarenessUpdate);
		this.awareness.destroy();
		this.doc.off('update', this.#onDocUpdate);
		this.doc.destroy();
	}
}
