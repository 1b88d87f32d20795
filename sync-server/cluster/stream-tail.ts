/**
 * A relay's reader of the document streams (doc-streams.ts): one dedicated connection runs
 * XREAD BLOCK over the streams of every document the relay holds and hands each entry, with
 * the relay it came from, to `onEntry`.
 *
 * Invariants:
 * - Per document, entries are delivered in stream order, each at most once in this process:
 *   the tail keeps the id of the last entry delivered per document, reads after it, and drops
 *   anything at or before it.
 * - After a lost connection (Redis restarting, the network) the tail waits for the connection
 *   to be ready again and reads on from those ids: entries appended meanwhile (AOF keeps them)
 *   are delivered, none skipped, none repeated. Entries trimmed by the compaction worker before
 *   the tail read them are not: the worker keeps entries for a minimum lifetime (compactor.ts)
 *   longer than a relay's usual outage. A document whose stream lost entries the tail had not
 *   delivered (checked after every reconnect and every `add`, against the highest trimmed id
 *   that the worker records in the stream) is reported to `onGap` and no longer followed: the
 *   relay reloads it.
 * - A change of the set (`add`, `remove`) takes effect at once, even while a read is blocked:
 *   the XREAD also reads this tail's own wake-up stream, and a change XADDs to it. A wake-up
 *   sent before the read reaches Redis still wakes it (the read asks for entries after the
 *   last wake-up seen), which a CLIENT UNBLOCK of the blocked connection would not do; and it
 *   costs nothing while the set is quiet, unlike short block timeouts. The block timeout
 *   (`blockMs`) is only a backstop for a wake-up that could not be sent.
 * - Entries of a document removed, or removed and added again, while a read was in flight are
 *   dropped from that read's answer: the document is read again from its new position.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { compareStreamIds } from '../storage/postgres.ts';
import {
	connect,
	decodeEntry,
	isTimeout,
	ready,
	type DocStreams,
	type StreamEntry
} from './doc-streams.ts';

export type StreamTailOptions = {
	onEntry: (entry: StreamEntry) => void;
	/**
	 * `doc`'s stream was trimmed past entries this tail had not delivered (it was cut off for
	 * longer than the worker's minimum lifetime, or added from a position already trimmed):
	 * the tail stops following it, and the relay reloads it (`DocStreams.load`) and adds it
	 * again from the load's `streamId`.
	 */
	onGap: (doc: string) => void;
	/** Failures of the read or of `onEntry`; the tail goes on. */
	onError?: (error: unknown) => void;
	/** Longest block of one XREAD (ms; default 5000). */
	blockMs?: number;
};

const WAKE_LIFETIME_MS = 3_600_000;

export class StreamTail {
	#streams: DocStreams;
	#reader: Redis;
	#options: StreamTailOptions;
	#wakeKey: string;
	#wakeId = '0-0';
	/** Per followed document: the last id delivered, and the generation of its `add`. */
	#following = new Map<string, { last: string; generation: number }>();
	#generation = 0;
	/** Documents to check for a gap before the next read (added, or the connection was lost). */
	#unchecked = new Set<string>();
	#closed = false;
	#stopWaiting: (() => void) | null = null;
	readonly done: Promise<void>;

	constructor(streams: DocStreams, options: StreamTailOptions) {
		this.#streams = streams;
		this.#options = options;
		// A read gets its block time plus the relay's command timeout before it counts as lost.
		this.#reader = connect(streams.url, {
			commandTimeout: (options.blockMs ?? 5000) + streams.commandTimeoutMs
		});
		// Every (re)connection: check every document for a gap before reading on. The loop below
		// cannot see every reconnection itself: ioredis may reject the read of the lost
		// connection only once the new one is ready (AbortError), and the loop then finds the
		// reader ready.
		this.#reader.on('ready', () => {
			for (const doc of this.#following.keys()) this.#unchecked.add(doc);
		});
		this.#wakeKey = `${streams.prefix}:wake:${streams.relayId}:${randomUUID()}`;
		this.done = this.#run();
	}

	/** Follows `doc` from after `afterId` (e.g. `load`'s `streamId`; `0-0` for all). */
	add(doc: string, afterId: string): void {
		this.#following.set(doc, { last: afterId, generation: ++this.#generation });
		this.#unchecked.add(doc);
		this.#wake();
	}

	remove(doc: string): void {
		if (this.#following.delete(doc)) this.#wake();
	}

	#wake(): void {
		this.#streams.redis
			.multi()
			.xadd(this.#wakeKey, 'MAXLEN', '1', '*', 'w', '1')
			.pexpire(this.#wakeKey, WAKE_LIFETIME_MS)
			.exec()
			.catch(() => {
				// Redis unreachable: the read fails too and starts again with the new set once
				// the connection is back; otherwise the block timeout bounds the delay.
			});
	}

	async #run(): Promise<void> {
		const blockMs = this.#options.blockMs ?? 5000;
		while (!this.#closed) {
			if (this.#reader.status !== 'ready') {
				await new Promise<void>((resolve) => {
					this.#stopWaiting = resolve;
					void ready(this.#reader).then(resolve);
				});
				this.#stopWaiting = null;
				for (const doc of this.#following.keys()) this.#unchecked.add(doc);
				continue;
			}
			try {
				await this.#checkGaps();
			} catch {
				continue; // the connection was lost: checked again once it is back
			}
			const docs = [...this.#following];
			const keys = [this.#wakeKey, ...docs.map(([doc]) => this.#streams.key(doc))];
			const ids = [this.#wakeId, ...docs.map(([, state]) => state.last)];
			let reply: [Buffer, [Buffer, Buffer[]][]][] | null;
			try {
				reply = (await this.#reader.xreadBuffer(
					'COUNT',
					1000,
					'BLOCK',
					blockMs,
					'STREAMS',
					...keys,
					...ids
				)) as [Buffer, [Buffer, Buffer[]][]][] | null;
			} catch (error) {
				if (this.#closed) return;
				if (isTimeout(error)) {
					// No answer: a silent partition. Connect again; the loop waits for it.
					this.#reader.disconnect(true);
					continue;
				}
				// A lost connection: the loop waits for it and reads on from the same ids. Any other
				// failure is reported and the read tried again a little later.
				const lost = error instanceof Error && error.name === 'AbortError';
				if (!lost && this.#reader.status === 'ready') {
					this.#options.onError?.(error);
					await new Promise((resolve) => setTimeout(resolve, 100));
				}
				continue;
			}
			const generations = new Map(docs.map(([doc, state]) => [doc, state.generation]));
			for (const [keyBytes, items] of reply ?? []) {
				const key = keyBytes.toString();
				if (key === this.#wakeKey) {
					this.#wakeId = items.at(-1)![0].toString();
					continue;
				}
				const doc = this.#streams.docOf(key);
				const state = this.#following.get(doc);
				if (!state || state.generation !== generations.get(doc)) continue;
				for (const [idBytes, fields] of items) {
					const id = idBytes.toString();
					if (compareStreamIds(id, state.last) <= 0) continue;
					state.last = id;
					try {
						this.#options.onEntry(decodeEntry(doc, id, fields));
					} catch (error) {
						this.#options.onError?.(error);
					}
					// `onEntry` may have removed the document.
					if (this.#following.get(doc) !== state) break;
				}
			}
		}
	}

	/**
	 * Reports the documents whose stream dropped an entry after the last one delivered: Redis 7
	 * keeps the highest id ever deleted from a stream (`max-deleted-entry-id`).
	 */
	async #checkGaps(): Promise<void> {
		for (const doc of [...this.#unchecked]) {
			const state = this.#following.get(doc);
			this.#unchecked.delete(doc);
			if (!state) continue;
			let info: unknown[];
			try {
				info = (await this.#reader.xinfo('STREAM', this.#streams.key(doc))) as unknown[];
			} catch (error) {
				if (error instanceof Error && /no such key/i.test(error.message)) continue;
				this.#unchecked.add(doc);
				throw error;
			}
			const deleted = String(info[info.indexOf('max-deleted-entry-id') + 1]);
			if (this.#following.get(doc) !== state || compareStreamIds(deleted, state.last) <= 0)
				continue;
			this.#following.delete(doc);
			try {
				this.#options.onGap(doc);
			} catch (error) {
				this.#options.onError?.(error);
			}
		}
	}

	/** Stops reading and closes the connection; resolves once the loop has ended. */
	async close(): Promise<void> {
		this.#closed = true;
		this.#reader.disconnect();
		this.#stopWaiting?.();
		await this.done;
		await this.#streams.redis.del(this.#wakeKey).catch(() => {});
	}
}
