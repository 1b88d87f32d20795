/**
 * Photo blobs (RELIABILITY.md requirement 10): content-addressed files outside Yjs.
 *
 *   PUT  /api/communities/:cid/blobs/:hash   body = the image bytes → 201 stored, 200 already there
 *   GET  /api/communities/:cid/blobs/:hash   → the bytes (HEAD: the headers only)
 *
 * Invariants:
 * - Files live under `DATA_DIR/blobs/{cid}/ab/cdef…` (one tree per community, so a member of
 *   another community cannot read a photo even if they learn its hash).
 * - An upload needs a bearer token of that community whose role may write some board
 *   (src/lib/wire/access.ts), a Content-Type of image/jpeg|png|webp whose magic bytes match
 *   the body, at most `maxBlobBytes` (checked on Content-Length and again while streaming), and
 *   a body whose sha-256 is the `:hash` of the path. Anything else is refused and nothing stays.
 * - A file is written to a temp file, fsynced, renamed into place and its directory fsynced
 *   before 201 is answered: a confirmed blob survives power loss.
 * - Uploads are rate-limited per address and per member (rate-limit.ts): 429 with Retry-After.
 *   A refused upload gets its answer whole and its body is drained, never a reset
 *   (http-json.ts `answerRefusal`).
 * - Reads need a token of that community (any role). Answers carry `private, immutable`
 *   caching, `nosniff` and `default-src 'none'`, and the type read from the file's magic bytes.
 * - The sweep deletes files older than the grace period that no stored document of their
 *   community mentions (any 64-hex string in any document counts as a reference: keeping too
 *   much is safe, deleting a referenced photo is not).
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import * as Y from 'yjs';
import { canWriteBoard, ID_SEGMENT, type Claims } from '../src/lib/wire/index.ts';
import { answerRefusal, bearerClaims, Refusal, sendJson, type MemberCheck } from './http-json.ts';
import type { HttpLimits } from './rate-limit.ts';
import type { DocStore } from './storage/types.ts';
import type { KeyRing } from './tokens.ts';

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

/** `DATA_DIR/blobs/{cid}/ab/cdef…` */
export function blobPath(dataDir: string, communityId: string, hash: string): string {
	return path.join(dataDir, 'blobs', communityId, hash.slice(0, 2), hash.slice(2));
}

async function fsyncDir(dir: string): Promise<void> {
	const handle = await fsp.open(dir, 'r');
	try {
		await handle.sync();
	} finally {
		await handle.close();
	}
}

async function exists(file: string): Promise<boolean> {
	try {
		return (await fsp.stat(file)).isFile();
	} catch {
		return false;
	}
}

export type BlobServiceOptions = MemberCheck & {
	dataDir: string;
	store: DocStore;
	keys: KeyRing;
	clockSkewSeconds: number;
	config: BlobConfig;
	/** Upload rate limits per address and per member (rate-limit.ts). */
	limits: HttpLimits;
	log(event: Record<string, unknown>): void;
	now?: () => number;
};

export type SweepResult = { deleted: number; kept: number; referenced: number };

export type BlobService = {
	handle(req: http.IncomingMessage, res: http.ServerResponse, rawPath: string): void;
	/** Deletes unreferenced blobs older than the grace period, in every community. */
	sweep(): Promise<SweepResult>;
	close(): void;
};

export function createBlobService(options: BlobServiceOptions): BlobService {
	const { dataDir, config, log } = options;
	const now = options.now ?? Date.now;
	const root = path.join(dataDir, 'blobs');

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
		const final = blobPath(dataDir, communityId, hash);
		if (await exists(final)) {
			// Idempotent: the same hash is the same bytes. Refresh its age for the sweep.
			const time = new Date(now());
			await fsp.utimes(final, time, time).catch(() => {});
			sendJson(res, 200, { hash, stored: true });
			return;
		}
		const tmpDir = path.join(root, communityId, 'tmp');
		await fsp.mkdir(tmpDir, { recursive: true });
		const tmp = path.join(tmpDir, `${hash}.${randomBytes(6).toString('hex')}`);
		const handle = await fsp.open(tmp, 'wx', 0o600);
		let renamed = false;
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
				await handle.write(chunk);
			}
			if (!req.complete) throw new Refusal(400, 'incomplete_body');
			if (!sniffed && sniffImageType(head) !== type) throw new Refusal(415, 'type_mismatch');
			if (digest.digest('hex') !== hash) throw new Refusal(400, 'hash_mismatch');
			await handle.sync();
			await handle.close();
			const dir = path.dirname(final);
			await fsp.mkdir(dir, { recursive: true });
			await fsp.rename(tmp, final);
			renamed = true;
			await fsyncDir(dir);
			log({ event: 'blob-stored', communityId, bytes: size, type });
			sendJson(res, 201, { hash, stored: true, bytes: size });
		} finally {
			await handle.close().catch(() => {});
			if (!renamed) await fsp.rm(tmp, { force: true }).catch(() => {});
		}
	};

	const get = async (
		req: http.IncomingMessage,
		res: http.ServerResponse,
		communityId: string,
		hash: string
	): Promise<void> => {
		await claimsFor(req, communityId);
		const file = blobPath(dataDir, communityId, hash);
		let handle: fsp.FileHandle;
		try {
			handle = await fsp.open(file, 'r');
		} catch {
			throw new Refusal(404, 'blob_unknown');
		}
		let stream: fs.ReadStream | null = null;
		try {
			const { size } = await handle.stat();
			const head = Buffer.alloc(16);
			await handle.read(head, 0, 16, 0);
			const type = sniffImageType(head);
			if (!type) throw new Refusal(404, 'blob_unknown');
			res.writeHead(200, {
				'Content-Type': type,
				'Content-Length': size,
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
			stream = handle.createReadStream({ start: 0, autoClose: true });
			await new Promise<void>((resolve, reject) => {
				stream!.on('error', reject);
				res.on('close', resolve);
				stream!.pipe(res);
			});
		} finally {
			if (!stream) await handle.close().catch(() => {});
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
		sweeping ??= sweepBlobs(dataDir, options.store, config.graceMs, now()).finally(() => {
			sweeping = null;
		});
		return sweeping;
	};

	const timer =
		config.sweepMs > 0
			? setInterval(() => {
					sweep().then(
						(result) => log({ event: 'blob-sweep', ...result }),
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

function loadStoredDoc(store: DocStore, name: string): Y.Doc {
	const doc = new Y.Doc({ gc: true });
	const stored = store.load(name);
	if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
	for (const update of stored.updates) Y.applyUpdate(doc, update);
	return doc;
}

async function listDir(dir: string): Promise<string[]> {
	try {
		return await fsp.readdir(dir);
	} catch {
		return [];
	}
}

/**
 * One sweep: for each community with blobs, reads every stored document of that community,
 * collects referenced hashes, and deletes blob files (and stale temp files) older than
 * `graceMs` that are not referenced.
 */
export async function sweepBlobs(
	dataDir: string,
	store: DocStore,
	graceMs: number,
	now: number
): Promise<SweepResult> {
	const result: SweepResult = { deleted: 0, kept: 0, referenced: 0 };
	const root = path.join(dataDir, 'blobs');
	const names = store.docNames();
	for (const communityId of await listDir(root)) {
		if (!ID_SEGMENT.test(communityId)) continue;
		const referenced = new Set<string>();
		for (const name of names) {
			if (!name.startsWith(`c/${communityId}/`)) continue;
			const doc = loadStoredDoc(store, name);
			referencedHashes(doc, referenced);
			doc.destroy();
			await new Promise((resolve) => setImmediate(resolve));
		}
		const communityDir = path.join(root, communityId);
		for (const prefix of await listDir(communityDir)) {
			const dir = path.join(communityDir, prefix);
			if (prefix === 'tmp') {
				for (const name of await listDir(dir)) {
					const file = path.join(dir, name);
					const stat = await fsp.stat(file).catch(() => null);
					if (stat && now - stat.mtimeMs > Math.max(graceMs, 3600_000)) {
						await fsp.rm(file, { force: true });
					}
				}
				continue;
			}
			if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
			for (const rest of await listDir(dir)) {
				const hash = prefix + rest;
				if (!BLOB_HASH.test(hash)) continue;
				if (referenced.has(hash)) {
					result.referenced++;
					continue;
				}
				const file = path.join(dir, rest);
				const stat = await fsp.stat(file).catch(() => null);
				if (stat && now - stat.mtimeMs > graceMs) {
					await fsp.rm(file, { force: true });
					result.deleted++;
				} else {
					result.kept++;
				}
			}
		}
	}
	return result;
}
