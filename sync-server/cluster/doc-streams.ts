/**
 * The Redis side of the scale-out relay (issue 22): one Redis stream per document,
 * `{prefix}:doc:{name}`, is the document's durable log of recent updates. A relay appends its
 * clients' updates there (`append`), every relay holding the document reads them back
 * (`StreamTail`, stream-tail.ts), and the compaction worker (compactor.ts) folds old entries
 * into PostgreSQL and trims them. `load` gives a document whole from both.
 *
 * Invariants:
 * - `append` resolves only once Redis acknowledged every XADD of the batch (one MULTI). Redis
 *   runs with AOF `appendfsync always`, so acknowledged = durable: the relay may confirm the
 *   updates (message 100) then. It rejects at once while Redis is unreachable: the connection
 *   has no offline queue and resends nothing after a reconnect, so a relay cut off from Redis
 *   stops confirming instead of queueing silently.
 * - An entry carries its update bytes (`u`), its author (`a`, absent for none), the relay it
 *   came from (`o`) and when that relay received it (`t`, ms since the epoch).
 * - Every document with a stream is in the set `{prefix}:docs` (added in the same MULTI as its
 *   entries, removed only atomically with the check that its stream is empty), so the worker
 *   finds every entry still to fold.
 * - `load` reads the stream before PostgreSQL: an entry is either still in the stream when the
 *   stream is read, or folded (and in PostgreSQL) before PostgreSQL is read, because a trim
 *   only drops folded entries. The stream entries after the folded position are added; none is
 *   counted twice.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { compareStreamIds, type PostgresStore, type StreamRow } from '../storage/postgres.ts';
import { assertAuthor, assertBytes, type StoredDoc, type UpdateEntry } from '../storage/types.ts';

/** One entry of a document's stream, with the relay it came from. */
export type StreamEntry = StreamRow & { doc: string; origin: string };

export type DocStreamsOptions = {
	/** `redis://host:port` */
	url: string;
	/** Prefix of every key (default `gridboard`): several clusters may share one Redis. */
	prefix?: string;
	/** This relay's id, recorded as the origin of what it appends. */
	relayId: string;
	store: PostgresStore;
	now?: () => number;
	/**
	 * A command with no answer for this long fails, and the connection is made again (ms;
	 * default 10 s): an append caught by a silent partition is not confirmed, instead of
	 * holding every later one.
	 */
	commandTimeoutMs?: number;
};

/** ioredis's error for a command that had no answer within `commandTimeout`. */
export function isTimeout(error: unknown): boolean {
	return error instanceof Error && error.message === 'Command timed out';
}

/** `load`'s answer: the document, and the stream id from which to tail it. */
export type LoadedDoc = StoredDoc & { streamId: string };

/**
 * A connection that never queues: commands fail at once while Redis is unreachable. With
 * `commandTimeout`, a command with no answer for that long fails too: a silent network partition
 * (no reset, the socket looks alive) would otherwise hold it for ever.
 */
export function connect(url: string, options: { commandTimeout?: number } = {}): Redis {
	const redis = new Redis(url, {
		enableOfflineQueue: false,
		autoResendUnfulfilledCommands: false,
		commandTimeout: options.commandTimeout,
		// Array replies (RESP2), the shape the stream code decodes.
		protocol: 2
	});
	// Connection errors are retried by ioredis (reconnect); commands report their own failures.
	redis.on('error', () => {});
	return redis;
}

/** Resolves once `redis` is ready (now if it is). */
export function ready(redis: Redis): Promise<void> {
	if (redis.status === 'ready') return Promise.resolve();
	return new Promise((resolve) => redis.once('ready', () => resolve()));
}

const bufferOf = (bytes: Uint8Array): Buffer =>
	Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** The entry id right after `id`: XTRIM MINID of it drops `id` and everything before. */
function nextId(id: string): string {
	const [ms, seq] = id.split('-');
	return `${ms}-${BigInt(seq!) + 1n}`;
}

/**
 * Trims a stream through an entry id, records that id as the stream's highest deleted id
 * (`max-deleted-entry-id`, which XTRIM itself leaves alone; a tail compares it with the last
 * entry it read to find a gap), and forgets the document if nothing is left, atomically.
 */
const TRIM_SCRIPT = `
local function older(a, b)
  local am, as = string.match(a, '(%d+)-(%d+)')
  local bm, bs = string.match(b, '(%d+)-(%d+)')
  if tonumber(am) ~= tonumber(bm) then return tonumber(am) < tonumber(bm) end
  return tonumber(as) < tonumber(bs)
end
if ARGV[3] ~= '0-0' then
  redis.call('XTRIM', KEYS[1], 'MINID', ARGV[1])
  local info = redis.call('XINFO', 'STREAM', KEYS[1])
  local fields = {}
  for i = 1, #info, 2 do fields[info[i]] = info[i + 1] end
  if older(fields['max-deleted-entry-id'], ARGV[3]) then
    redis.call('XSETID', KEYS[1], fields['last-generated-id'], 'MAXDELETEDID', ARGV[3])
  end
end
local left = redis.call('XLEN', KEYS[1])
if left == 0 then redis.call('SREM', KEYS[2], ARGV[2]) end
return left`;

/** Deletes a lease only if it is still ours. */
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Takes a lease nobody holds, or renews ours; 1 if we hold it now. */
const HOLD_SCRIPT = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if not holder then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0`;

export class DocStreams {
	readonly relayId: string;
	readonly prefix: string;
	readonly url: string;
	readonly redis: Redis;
	readonly store: PostgresStore;
	readonly commandTimeoutMs: number;
	#now: () => number;

	constructor(options: DocStreamsOptions) {
		this.url = options.url;
		this.prefix = options.prefix ?? 'gridboard';
		this.relayId = options.relayId;
		this.store = options.store;
		this.#now = options.now ?? Date.now;
		this.commandTimeoutMs = options.commandTimeoutMs ?? 10_000;
		this.redis = connect(options.url, { commandTimeout: this.commandTimeoutMs });
	}

	/** The key of `doc`'s stream. */
	key(doc: string): string {
		return `${this.prefix}:doc:${doc}`;
	}

	/** The document a stream key belongs to. */
	docOf(key: string): string {
		return key.slice(`${this.prefix}:doc:`.length);
	}

	/**
	 * XADDs every entry to its document's stream in one MULTI; resolves to their ids once Redis
	 * acknowledged them (durable under `appendfsync always`), rejects if Redis is unreachable.
	 */
	async append(entries: readonly UpdateEntry[]): Promise<string[]> {
		for (const entry of entries) {
			if (typeof entry.doc !== 'string' || entry.doc === '') throw new TypeError('bad doc name');
			assertBytes(entry.update, 'update');
			assertAuthor(entry.author);
		}
		if (entries.length === 0) return [];
		const at = String(this.#now());
		const multi = this.redis.multi();
		for (const entry of entries) {
			const fields: (string | Buffer)[] = ['u', bufferOf(entry.update), 'o', this.relayId, 't', at];
			if (entry.author != null) fields.push('a', entry.author);
			multi.xadd(this.key(entry.doc), '*', ...fields);
		}
		multi.sadd(`${this.prefix}:docs`, ...new Set(entries.map((entry) => entry.doc)));
		let results;
		try {
			results = await multi.exec();
		} catch (error) {
			// No answer: the connection may be dead without knowing it; make it again.
			if (isTimeout(error)) this.redis.disconnect(true);
			throw error;
		}
		if (!results) throw new Error('the Redis transaction was aborted');
		const ids: string[] = [];
		for (const [error, id] of results.slice(0, entries.length)) {
			if (error) throw error;
			ids.push(String(id));
		}
		return ids;
	}

	/**
	 * `doc`'s entries after `after` (exclusive; all if null) up to `until` (an id or a time in
	 * ms, inclusive; `+` for the end), at most `count`, in stream order.
	 */
	async range(
		doc: string,
		after: string | null,
		until = '+',
		count?: number
	): Promise<StreamEntry[]> {
		const start = after ? `(${after}` : '-';
		const items =
			count === undefined
				? await this.redis.xrangeBuffer(this.key(doc), start, until)
				: await this.redis.xrangeBuffer(this.key(doc), start, until, 'COUNT', count);
		return items.map(([id, fields]) => decodeEntry(doc, id.toString(), fields));
	}

	/**
	 * The document whole: PostgreSQL's snapshot and log, then the stream's entries after the
	 * position the last compaction folded (see the invariant above on the order of the reads).
	 * `streamId` is where a tail of the document starts so that it misses and repeats nothing.
	 */
	async load(doc: string): Promise<LoadedDoc> {
		const streamed = await this.range(doc, null);
		const folded = await this.store.loadFolded(doc);
		const after = folded.streamId
			? streamed.filter((entry) => compareStreamIds(entry.id, folded.streamId!) > 0)
			: streamed;
		const candidates = [streamed.at(-1)?.id, folded.streamId].filter((id) => id != null);
		const streamId = candidates.sort(compareStreamIds).at(-1) ?? '0-0';
		return {
			snapshot: folded.snapshot,
			updates: [...folded.updates, ...after.map((entry) => entry.update)],
			lastSeq: folded.lastSeq,
			streamId
		};
	}

	/** Every document that has a stream (entries not yet folded, or folded but not trimmed). */
	async docs(): Promise<string[]> {
		return (await this.redis.smembers(`${this.prefix}:docs`)).sort();
	}

	/** The time on Redis's clock (ms), the clock of the stream ids. */
	async redisTime(): Promise<number> {
		const [seconds, micros] = await this.redis.time();
		return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
	}

	/** Drops `doc`'s entries up to `through` (inclusive); resolves to the number left. */
	async trim(doc: string, through: string): Promise<number> {
		const left = await this.redis.eval(
			TRIM_SCRIPT,
			2,
			this.key(doc),
			`${this.prefix}:docs`,
			nextId(through),
			doc,
			through
		);
		return Number(left);
	}

	/**
	 * Takes the lease on `name` for `ms` if nobody holds it (SET NX PX); resolves to its release,
	 * or null if another holder has it.
	 */
	async lease(name: string, ms: number): Promise<(() => Promise<void>) | null> {
		const key = `${this.prefix}:lease:${name}`;
		const token = randomUUID();
		const taken = await this.redis.set(key, token, 'PX', ms, 'NX');
		if (taken !== 'OK') return null;
		return async () => {
			await this.redis.eval(RELEASE_SCRIPT, 1, key, token);
		};
	}

	/**
	 * A lease this relay keeps while it renews it (a task of the whole cluster, e.g. the photo
	 * sweep): true if nobody held `name` and this relay took it, or this relay held it and now
	 * holds it `ms` more; false while another relay holds it.
	 */
	async holdLease(name: string, ms: number): Promise<boolean> {
		const key = `${this.prefix}:lease:${name}`;
		return (await this.redis.eval(HOLD_SCRIPT, 1, key, this.relayId, ms)) === 1;
	}

	/** Gives up a lease `holdLease` holds (nothing if another relay holds it now). */
	async releaseHeld(name: string): Promise<void> {
		await this.redis.eval(RELEASE_SCRIPT, 1, `${this.prefix}:lease:${name}`, this.relayId);
	}

	close(): void {
		this.redis.disconnect();
	}
}

/** An entry as XRANGE / XREAD return it (field names and values as Buffers). */
export function decodeEntry(doc: string, id: string, fields: Buffer[]): StreamEntry {
	const entry: StreamEntry = {
		doc,
		id,
		update: new Uint8Array(0),
		author: null,
		origin: '',
		at: 0
	};
	for (let i = 0; i + 1 < fields.length; i += 2) {
		const name = fields[i]!.toString();
		const value = fields[i + 1]!;
		if (name === 'u') entry.update = new Uint8Array(value);
		else if (name === 'a') entry.author = value.toString();
		else if (name === 'o') entry.origin = value.toString();
		else if (name === 't') entry.at = Number(value.toString());
	}
	return entry;
}
