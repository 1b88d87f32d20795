/**
 * Photo blobs (RELIABILITY.md requirement 10): content-addressed files outside Yjs.
 *
 *   PUT  /api/communities/:cid/blobs/:hash   body = the image bytes → 201 stored, 200 already there
 *   GET  /api/communities/:cid/blobs/:hash   → the bytes (HEAD: the headers only)
 *
 * Invariants:
 * - Blobs are kept per community (so a member of another community cannot read a photo even
 *   if they learn its hash) by a BlobStore (blob-store.ts): files under
 *   `DATA_DIR/blobs/{cid}/ab/cdef…` in embedded mode, PostgreSQL rows in cluster mode.
 * - An upload needs a bearer token of that community whose role may write some board
 *   (src/lib/wire/access.ts), a Content-Type of image/jpeg|png|webp whose magic bytes match
 *   the body, at most `maxBlobBytes` (checked on Content-Length and again while streaming), and
 *   a body whose sha-256 is the `:hash` of the path. Anything else is refused and nothing stays.
 * - 201 is answered only once the store committed the blob durably (a temp file fsynced,
 *   renamed and its directory fsynced; or a PostgreSQL commit): a confirmed blob survives
 *   power loss.
 * - Uploads are rate-limited per address and per member (rate-limit.ts): 429 with Retry-After.
 *   A refused upload gets its answer whole and its body is drained, never a reset
 *   (http-json.ts `answerRefusal`).
 * - Reads need a token of that community (any role). Answers carry `private, immutable`
 *   caching, `nosniff` and `default-src 'none'`, and the type read from the file's magic bytes.
 * - The sweep deletes blobs older than the grace period that no stored document of their
 *   community mentions (any 64-hex string in any document counts as a reference: keeping too
 *   much is safe, deleting a referenced photo is not). The documents are `SweptDocs`: the SQLite
 *   store's, or in cluster mode the cluster's (PostgreSQL and the Redis streams).
 * - Cluster mode: the timer's sweep runs only on the relay that holds the cluster's sweep
 *   lease (`sweepLease`: taken when free, renewed by its holder at each of its periods, for
 *   SWEEP_LEASE_PERIODS periods), so the cluster sweeps once per period, not once per relay; a
 *   relay that dies stops renewing it, and another relay's timer takes it once it expired; a
 *   relay that closes gives it up (server.ts), so a restart does not hold the sweep back.
 */
import { createHash } from 'node:crypto';
import type http from 'node:http';
import type { Readable } from 'node:stream';
import * as Y from 'yjs';
import { canWriteBoard, ID_SEGMENT, type Claims } from '../src/lib/wire/index.ts';
import { answerRefusal, bearerClaims, Refusal, sendJson, type MemberCheck } from './http-json.ts';
import type { HttpLimits } from './rate-limit.ts';
import type { BlobStore, SweepResult } from './blob-store.ts';
import type { DocStore, StoredDoc } from './storage/types.ts';
import type { KeyRing } from './tokens.ts';

export { blobPath } from './blob-store.ts';

export const BLOB_HASH = /^[0-9a-f]{64}$/;
export const BLOB_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type BlobType = (typeof BLOB_TYPES)[number];

export type BlobConfig = {
	/** Largest photo accepted, in bytes (MAX_BLOB_BYTES). */
	maxBlobBytes: number;
	/** Unreferenced blobs older than this are deleted by the sweep (BLOB_GRACE_HOURS). */
	graceMs: number;
	/** How often the sweep runs; 0 disables the timer (tests call `sweep()`). */
	sweepMs: number;
};

export const DEFAULT_BLOB_CONFIG: BlobConfig = {
	maxBlobBytes: 5 * 1024 * 1024,
	graceMs: 72 * 3600_000,
	sweepMs: 3600_000
};

/** Reads MAX_BLOB_BYTES and BLOB_GRACE_HOURS (validated; throws with a clear message). */
export function readBlobConfig(env: NodeJS.ProcessEnv = process.env): BlobConfig {
	const read = (key: string, fallback: number, min: number): number => {
		const raw = env[key];
		if (raw === undefined || raw === '') return fallback;
		const value = Number(raw);
		if (!Number.isFinite(value) || value < min) {
			throw new Error(`${key} must be a number >= ${min}, got ${JSON.stringify(raw)}`);
		}
		return value;
	};
	const maxBlobBytes = read('MAX_BLOB_BYTES', DEFAULT_BLOB_CONFIG.maxBlobBytes, 1024);
	if (!Number.isSafeInteger(maxBlobBytes)) throw new Error('MAX_BLOB_BYTES must be an integer');
	return {
		maxBlobBytes,
		graceMs: read('BLOB_GRACE_HOURS', 72, 0) * 3600_000,
		sweepMs: DEFAULT_BLOB_CONFIG.sweepMs
	};
}

/** The image type named by the first bytes of a file, or null. */
export function sniffImageType(head: Uint8Array): BlobType | null {
	if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) {
		return 'image/jpeg';
	}
	const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
	if (head.length >= 8 && png.every((byte, i) => head[i] === byte)) return 'image/png';
	const ascii = (from: number, to: number): string =>
		String.fromCharCode(...head.subarray(from, to));
	if (head.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
	return null;
}

/** May these claims upload photos: can they write at least one board of their community? */
export function canUploadBlob(claims: Claims): boolean {
	if (canWriteBoard(claims, 'any-board')) return true;
	return claims.grids.some((grid) => canWriteBoard(claims, grid));
}

const ROUTE = /^\/api\/communities\/([^/]+)\/blobs\/([^/]+)$/;

/** True for paths this module answers (so the relay routes them here). */
export function isBlobPath(rawPath: string): boolean {
	return /^\/api\/communities\/[^/]+\/blobs(\/|$)/.test(rawPath);
}

/**
 * The documents the sweep reads for references: every stored document's name, and its content
 * (embedded mode: the SQLite store, `storedDocs`; cluster mode: PostgreSQL and the streams).
 */
export type SweptDocs = {
	names(): Promise<string[]>;
	load(name: string): Promise<StoredDoc>;
};

/** The documents of an embedded store, for the sweep. */
export function storedDocs(store: DocStore): SweptDocs {
	return { names: async () => store.docNames(), load: async (name) => store.load(name) };
}

export type BlobServiceOptions = MemberCheck & {
	/** Where the bytes live (blob-store.ts): DATA_DIR on disk, or PostgreSQL in cluster mode. */
	blobs: BlobStore;
	/** What the sweep reads to decide what is referenced. */
	docs: SweptDocs;
	keys: KeyRing;
	clockSkewSeconds: number;
	config: BlobConfig;
	/** Upload rate limits per address and per member (rate-limit.ts). */
	limits: HttpLimits;
	log(event: Record<string, unknown>): void;
	now?: () => number;
	/**
	 * Cluster mode: takes the cluster's sweep lease for `ms` if no relay holds it, or renews it
	 * if this relay does; false: another relay sweeps. Absent (embedded): the timer always sweeps.
	 */
	sweepLease?: (ms: number) => Promise<boolean>;
};

/**
 * How many sweep periods a lease lasts: its holder renews it every period, late timers
 * included (a loaded machine); a dead holder's lease passes to another relay within this many
 * periods plus one.
 */
const SWEEP_LEASE_PERIODS = 2;

export type { SweepResult };

export type BlobService = {
	handle(req: http.IncomingMessage, res: http.ServerResponse, rawPath: string): void;
	/** Deletes unreferenced blobs older than the grace period, in every community. */
	sweep(): Promise<SweepResult>;
	close(): void;
};

export function createBlobService(options: BlobServiceOptions): BlobService {
	const { blobs, config, log } = options;
	const now = options.now ?? Date.now;

	const claimsFor = (req: http.IncomingMessage, communityId: string): Promise<Claims> =>
		bearerClaims(req, { ...options, now }, communityId);

	const put = async (
		req: http.IncomingMessage,
		res: http.ServerResponse,
		communityId: string,
		hash: string
	): Promise<void> => {
		options.limits.address(req, 'upload');
		const claims = await claimsFor(req, communityId);
		if (!canUploadBlob(claims)) throw new Refusal(403, 'forbidden');
		options.limits.credential('upload', `${communityId}/${claims.sub}`);
		const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
		if (!(BLOB_TYPES as readonly string[]).includes(type)) {
			throw new Refusal(415, 'unsupported_type');
		}
		const declared = req.headers['content-length'];
		if (declared !== undefined && Number(declared) > config.maxBlobBytes) {
			throw new Refusal(413, 'blob_too_large');
		}
		if (await blobs.touch(communityId, hash, now())) {
			// Idempotent: the same hash is the same bytes; its age for the sweep is refreshed.
			sendJson(res, 200, { hash, stored: true });
			return;
		}
		const writer = await blobs.writer(communityId, hash, now());
		let committed = false;
		try {
			const digest = createHash('sha256');
			let size = 0;
			let head = Buffer.alloc(0);
			let sniffed = false;
			// Not destroyed when a refusal leaves the loop: answerRefusal reads the rest.
			for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
				size += chunk.length;
				if (size > config.maxBlobBytes) throw new Refusal(413, 'blob_too_large');
				if (!sniffed) {
					head = Buffer.concat([head, chunk.subarray(0, 16)]);
					if (head.length >= 12) {
						sniffed = true;
						if (sniffImageType(head) !== type) throw new Refusal(415, 'type_mismatch');
					}
				}
				digest.update(chunk);
				await writer.write(chunk);
			}
			if (!req.complete) throw new Refusal(400, 'incomplete_body');
			if (!sniffed && sniffImageType(head) !== type) throw new Refusal(415, 'type_mismatch');
			if (digest.digest('hex') !== hash) throw new Refusal(400, 'hash_mismatch');
			await writer.commit();
			committed = true;
			log({ event: 'blob-stored', communityId, bytes: size, type });
			sendJson(res, 201, { hash, stored: true, bytes: size });
		} finally {
			if (!committed) await writer.abort();
		}
	};

	const get = async (
		req: http.IncomingMessage,
		res: http.ServerResponse,
		communityId: string,
		hash: string
	): Promise<void> => {
		await claimsFor(req, communityId);
		const blob = await blobs.open(communityId, hash);
		if (!blob) throw new Refusal(404, 'blob_unknown');
		let stream: Readable | null = null;
		try {
			const type = sniffImageType(blob.head);
			if (!type) throw new Refusal(404, 'blob_unknown');
			res.writeHead(200, {
				'Content-Type': type,
				'Content-Length': blob.size,
				'Cache-Control': 'private, max-age=31536000, immutable',
				ETag: `"${hash}"`,
				'X-Content-Type-Options': 'nosniff',
				'Content-Security-Policy': "default-src 'none'; sandbox",
				'Cross-Origin-Resource-Policy': 'same-origin',
				Vary: 'Authorization'
			});
			if (req.method === 'HEAD') {
				res.end();
				return;
			}
			stream = blob.body();
			await new Promise<void>((resolve, reject) => {
				stream!.on('error', reject);
				res.on('close', resolve);
				stream!.pipe(res);
			});
		} finally {
			if (!stream) await blob.close();
		}
	};

	const handle = (req: http.IncomingMessage, res: http.ServerResponse, rawPath: string): void => {
		const run = async (): Promise<void> => {
			const match = ROUTE.exec(rawPath);
			const communityId = match?.[1] ?? '';
			const hash = match?.[2] ?? '';
			if (!match || !ID_SEGMENT.test(communityId)) throw new Refusal(404, 'not_found');
			if (!BLOB_HASH.test(hash)) throw new Refusal(400, 'bad_hash');
			const method = req.method ?? 'GET';
			if (method === 'PUT') await put(req, res, communityId, hash);
			else if (method === 'GET' || method === 'HEAD') await get(req, res, communityId, hash);
			else throw new Refusal(405, 'method_not_allowed');
		};
		run().catch((error: unknown) => {
			// A refused body is read and dropped before the connection closes: the client gets
			// its 413 or 429, not a reset.
			answerRefusal(req, res, error, (internal) =>
				log({ event: 'blob-error', error: String(internal) })
			);
		});
	};

	let sweeping: Promise<SweepResult> | null = null;
	const sweep = (): Promise<SweepResult> => {
		sweeping ??= sweepBlobs(blobs, options.docs, config.graceMs, now()).finally(() => {
			sweeping = null;
		});
		return sweeping;
	};

	const lease = options.sweepLease;
	const leaseMs = config.sweepMs * SWEEP_LEASE_PERIODS;
	const timer =
		config.sweepMs > 0
			? setInterval(() => {
					// A sweep still under way (a large store, a slow database) is not joined: the
					// next one starts from the next tick after it.
					if (sweeping) return;
					(lease ? lease(leaseMs) : Promise.resolve(true))
						.then((mine) => (mine ? sweep() : null))
						.then(
							(result) => result && log({ event: 'blob-sweep', ...result }),
							(error: unknown) => log({ event: 'blob-sweep-error', error: String(error) })
						);
				}, config.sweepMs)
			: null;
	timer?.unref();

	return { handle, sweep, close: () => timer && clearInterval(timer) };
}

/** Every 64-hex string anywhere in a Yjs document (any type, any nesting). */
export function referencedHashes(doc: Y.Doc, into = new Set<string>()): Set<string> {
	const visit = (value: unknown, depth: number): void => {
		if (depth > 64) return;
		if (typeof value === 'string') {
			if (value.length === 64 && BLOB_HASH.test(value)) into.add(value);
		} else if (value instanceof Y.AbstractType) {
			visitType(value, depth + 1);
		} else if (Array.isArray(value)) {
			for (const item of value) visit(item, depth + 1);
		} else if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) {
			for (const item of Object.values(value)) visit(item, depth + 1);
		}
	};
	const visitType = (
		type: { _map: Map<string, Y.Item>; _start: Y.Item | null },
		depth: number
	): void => {
		for (const item of type._map.values()) {
			if (!item.deleted) for (const value of item.content.getContent()) visit(value, depth);
		}
		for (let item = type._start; item !== null; item = item.right) {
			if (!item.deleted && item.countable) {
				for (const value of item.content.getContent()) visit(value, depth);
			}
		}
	};
	for (const type of doc.share.values()) visitType(type, 0);
	return into;
}

function docOf(stored: StoredDoc): Y.Doc {
	const doc = new Y.Doc({ gc: true });
	if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
	for (const update of stored.updates) Y.applyUpdate(doc, update);
	return doc;
}

/**
 * One sweep: for each community with blobs, reads every stored document of that community,
 * collects referenced hashes, and deletes the blobs (and stale leftovers of uploads) older
 * than `graceMs` that are not referenced.
 */
async function sweepBlobs(
	blobs: BlobStore,
	docs: SweptDocs,
	graceMs: number,
	now: number
): Promise<SweepResult> {
	const result: SweepResult = { deleted: 0, kept: 0, referenced: 0 };
	const names = await docs.names();
	for (const communityId of await blobs.communities()) {
		if (!ID_SEGMENT.test(communityId)) continue;
		const referenced = new Set<string>();
		for (const name of names) {
			if (!name.startsWith(`c/${communityId}/`)) continue;
			const doc = docOf(await docs.load(name));
			referencedHashes(doc, referenced);
			doc.destroy();
			await new Promise((resolve) => setImmediate(resolve));
		}
		const swept = await blobs.removeUnreferenced(communityId, referenced, now, graceMs);
		result.deleted += swept.deleted;
		result.kept += swept.kept;
		result.referenced += swept.referenced;
	}
	return result;
}
