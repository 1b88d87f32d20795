/**
 * Server confirmations: which local changes the relay has durably stored.
 *
 * The relay sends `[100, varBytes(stateVector)]` after each commit (see sync-server/protocol.ts):
 * everything that state vector covers is on its disk. Every local change is recorded as
 * `(clientID, clock)`, the doc's clock for its own client after the transaction; the change is
 * confirmed once the server's state vector holds `clock` for that client.
 *
 *   meta key                          value
 *   confirm/sv                        Uint8Array   last state vector the relay confirmed
 *   confirm/at                        number       when it arrived (ms since epoch)
 *   pending/<clientID>/<seq>          [clientID, clock, deleteOnly?]   one unconfirmed change
 *
 * A change that only deletes does not advance its client's clock, so the state vector cannot
 * show it (sync-server/PROTOCOL.md, "Limits of the guarantee"). It is recorded with `clock + 1`:
 * confirmed once the relay holds this client's next insertion, which it can only have stored
 * after the deletion (one ordered socket, and a reconnect's sync step 2 always carries the whole
 * delete set). A client from an earlier session never inserts again, so on load such entries move
 * to the current client the same way. Until then they stay counted: the count errs towards
 * "not yet on the server", never the other way.
 *
 * Invariants: the count only drops when a relay state vector covers an entry; entries survive
 * reloads (they live in the doc's meta store, written in the same IndexedDB transaction as the
 * change itself); the clientID changes on every load, so entries from earlier sessions are kept
 * under their own clientID until covered. Each pending key is written once and only ever deleted,
 * so two tabs sharing the store never overwrite each other's entries.
 */
import * as Y from 'yjs';
import type { MetaStore } from './meta-store.ts';

export const META_SERVER_SV = 'confirm/sv';
export const META_CONFIRMED_AT = 'confirm/at';
export const META_PENDING_PREFIX = 'pending/';

/** One local change: covered once the server's state vector has `clock` for `clientID`. */
export type PendingChange = readonly [clientID: number, clock: number, deleteOnly?: boolean];

export function isCovered(change: PendingChange, serverStateVector: Map<number, number>): boolean {
	return (serverStateVector.get(change[0]) ?? 0) >= change[1];
}

/**
 * The change a finished local transaction made, or null when it changed nothing. `clientID` is
 * the doc's own client; only its clock moves in a local transaction.
 */
export function changeOfTransaction(
	transaction: Y.Transaction,
	clientID: number
): PendingChange | null {
	const before = transaction.beforeState.get(clientID) ?? 0;
	const after = transaction.afterState.get(clientID) ?? 0;
	if (after > before) return [clientID, after];
	if (transaction.deleteSet.clients.size > 0) return [clientID, after + 1, true];
	return null;
}

export type ConfirmationsState = Readonly<{
	unconfirmed: number;
	/** When the relay last confirmed anything for this doc (persisted across reloads). */
	lastConfirmedAt: number | null;
}>;

export interface ServerConfirmations {
	getState(): ConfirmationsState;
	subscribe(listener: (state: ConfirmationsState) => void): () => void;
	/** Merges what the meta store holds (call once it has loaded); entries recorded before stay. */
	hydrate(): void;
	/** A `[100]` payload from the relay. Malformed input is ignored (returns false). */
	receiveServerStateVector(encoded: Uint8Array): boolean;
	destroy(): void;
}

export type ServerConfirmationsOptions = {
	/** Origins whose transactions are not local changes (the provider, the local store). */
	isRemoteOrigin: (origin: unknown) => boolean;
	now?: () => number;
};

function isPendingChange(value: unknown): value is PendingChange {
	return (
		Array.isArray(value) &&
		(value.length === 2 || (value.length === 3 && value[2] === true)) &&
		Number.isSafeInteger(value[0]) &&
		Number.isSafeInteger(value[1])
	);
}

export function trackServerConfirmations(
	doc: Y.Doc,
	meta: MetaStore,
	options: ServerConfirmationsOptions
): ServerConfirmations {
	const now = options.now ?? Date.now;
	const pending = new Map<string, PendingChange>();
	let serverSV = new Map<number, number>();
	let lastConfirmedAt: number | null = null;
	let seq = 0;
	const listeners = new Set<(state: ConfirmationsState) => void>();
	let state: ConfirmationsState = Object.freeze({ unconfirmed: 0, lastConfirmedAt: null });

	function emit() {
		const next = Object.freeze({ unconfirmed: pending.size, lastConfirmedAt });
		if (next.unconfirmed === state.unconfirmed && next.lastConfirmedAt === state.lastConfirmedAt) {
			return;
		}
		state = next;
		for (const listener of listeners) listener(state);
	}

	function pruneCovered() {
		for (const [key, change] of pending) {
			if (isCovered(change, serverSV)) {
				pending.delete(key);
				meta.delete(key);
			}
		}
	}

	function add(change: PendingChange) {
		const key = `${META_PENDING_PREFIX}${change[0]}/${seq++}`;
		pending.set(key, change);
		meta.set(key, change);
	}

	const onAfterTransaction = (transaction: Y.Transaction) => {
		if (!transaction.local || options.isRemoteOrigin(transaction.origin)) return;
		const change = changeOfTransaction(transaction, doc.clientID);
		if (change === null || isCovered(change, serverSV)) return;
		// afterTransaction runs before the doc's 'update' event, so the local store commits this
		// entry in the same IndexedDB transaction as the change itself.
		add(change);
		emit();
	};
	doc.on('afterTransaction', onAfterTransaction);

	return {
		getState: () => state,
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		hydrate() {
			const storedSV = meta.get(META_SERVER_SV);
			if (storedSV instanceof Uint8Array) {
				try {
					const decoded = Y.decodeStateVector(storedSV);
					// Keep a newer one that arrived before hydration.
					if (lastConfirmedAt === null) serverSV = decoded;
				} catch {
					// unreadable: wait for the relay's next confirmation
				}
			}
			const storedAt = meta.get(META_CONFIRMED_AT);
			if (lastConfirmedAt === null && typeof storedAt === 'number') lastConfirmedAt = storedAt;
			const ownClock = Y.decodeStateVector(Y.encodeStateVector(doc)).get(doc.clientID) ?? 0;
			for (const key of meta.keys(META_PENDING_PREFIX)) {
				if (pending.has(key)) continue;
				const value = meta.get(key);
				if (!isPendingChange(value)) {
					meta.delete(key);
				} else if (value[2] === true && value[0] !== doc.clientID && !isCovered(value, serverSV)) {
					meta.delete(key);
					add([doc.clientID, ownClock + 1, true]);
				} else {
					pending.set(key, value);
				}
			}
			pruneCovered();
			emit();
		},
		receiveServerStateVector(encoded) {
			let decoded: Map<number, number>;
			try {
				decoded = Y.decodeStateVector(encoded);
			} catch {
				return false;
			}
			serverSV = decoded;
			lastConfirmedAt = now();
			meta.set(META_SERVER_SV, encoded);
			meta.set(META_CONFIRMED_AT, lastConfirmedAt);
			pruneCovered();
			emit();
			return true;
		},
		destroy() {
			doc.off('afterTransaction', onAfterTransaction);
			listeners.clear();
		}
	};
}
