/**
 * Replica network (test helper): n in-memory Y.Docs that exchange updates only when a test
 * says so. Each local update is queued once per other replica; `flush` delivers queued
 * messages, in order or in a seeded shuffled order, all of them or only some.
 *
 * Invariant: no update is ever dropped or delivered twice; after a full `flush()` every
 * replica has applied every update every other replica produced, so tests can assert
 * convergence. Updates arriving out of causal order are held by Yjs until their
 * dependencies arrive, which is what a real relay with reconnects looks like.
 */

import * as Y from 'yjs';
import { seededRandom } from './seeded-random';

const ORIGIN_NETWORK = Symbol('replica-network');

type Message = Readonly<{ from: number; to: number; update: Uint8Array }>;

export type FlushOptions = Readonly<{
	/** Deliver in an order shuffled with this seed instead of send order. */
	shuffle?: number;
	/** Deliver at most this many messages, leaving the rest queued. */
	limit?: number;
}>;

export type ReplicaNetwork = Readonly<{
	docs: readonly Y.Doc[];
	/** Delivers queued messages; returns how many were delivered. */
	flush: (options?: FlushOptions) => number;
	/** How many messages are queued. */
	pending: () => number;
	destroy: () => void;
}>;

export function createReplicaNetwork(n: number): ReplicaNetwork {
	if (!Number.isInteger(n) || n < 1) throw new RangeError('a network needs at least one replica');
	let queue: Message[] = [];
	const docs = Array.from({ length: n }, (_, index) => {
		const doc = new Y.Doc();
		// Fixed client ids keep seeded trials reproducible (Yjs breaks ties by client id).
		doc.clientID = index + 1;
		doc.on('update', (update: Uint8Array, origin: unknown) => {
			if (origin === ORIGIN_NETWORK) return;
			for (let to = 0; to < n; to++) if (to !== index) queue.push({ from: index, to, update });
		});
		return doc;
	});

	const flush = (options: FlushOptions = {}): number => {
		const ordered =
			options.shuffle === undefined ? queue : seededRandom(options.shuffle).shuffle(queue);
		const count = Math.min(options.limit ?? ordered.length, ordered.length);
		const delivering = ordered.slice(0, count);
		queue = ordered.slice(count);
		for (const message of delivering) {
			const doc = docs[message.to];
			if (doc) Y.applyUpdate(doc, message.update, ORIGIN_NETWORK);
		}
		return count;
	};

	return {
		docs,
		flush,
		pending: () => queue.length,
		destroy: () => {
			for (const doc of docs) doc.destroy();
			queue = [];
		}
	};
}
