/**
 * `GET` / `HEAD /api/communities/:cid/basemap`: the community's PMTiles archive for its members.
 *
 * Invariants:
 * - Needs a bearer relay token of a current member of that community (any role; http-json.ts
 *   `bearerClaims`); 404 `no_basemap` when the secretary has not built one.
 * - `ETag` is the archive's sha-256 (strong), computed once per file version (inode, size,
 *   mtime) and cached. `If-None-Match` → 304; `Range: bytes=…` (one range) → 206 with
 *   `Content-Range`, unless `If-Range` names another ETag (then 200, the whole new archive);
 *   a range starting past the end → 416 with `Content-Range: bytes * /size`.
 * - The file is opened once per request and everything (size, hash, bytes) is read from that
 *   descriptor, so an archive replaced by a rebuild mid-request is served whole and consistent.
 *   Bytes are streamed, never buffered whole. `Cache-Control: no-cache`: the phone keeps its own
 *   copy and revalidates with the ETag.
 */
import { createHash } from 'node:crypto';
import fsp from 'node:fs/promises';
import type http from 'node:http';
import { ID_SEGMENT } from '../../src/lib/wire/index.ts';
import { answerRefusal, bearerClaims, Refusal, type MemberCheck } from '../http-json.ts';
import type { KeyRing } from '../tokens.ts';
import { basemapPath } from './build.ts';

const ROUTE = /^\/api\/communities\/([^/]+)\/basemap$/;

/** True for paths this module answers. */
export function isBasemapPath(rawPath: string): boolean {
	return ROUTE.test(rawPath);
}

export type BasemapServiceOptions = MemberCheck & {
	dataDir: string;
	keys: KeyRing;
	clockSkewSeconds: number;
	log(event: Record<string, unknown>): void;
	now?: () => number;
};

type Range = { start: number; end: number } | 'unsatisfiable' | null;

/** One `bytes=` range against a size (RFC 9110 §14.1.2); null when absent, malformed or multiple. */
export function parseRange(header: string | undefined, size: number): Range {
	if (!header) return null;
	const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
	if (!match || (match[1] === '' && match[2] === '')) return null;
	if (match[1] === '') {
		const suffix = Number(match[2]);
		if (suffix === 0) return 'unsatisfiable';
		return { start: Math.max(0, size - suffix), end: size - 1 };
	}
	const start = Number(match[1]);
	const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
	if (match[2] !== '' && Number(match[2]) < start) return null;
	if (start >= size) return 'unsatisfiable';
	return { start, end };
}

async function hashOf(handle: fsp.FileHandle, size: number): Promise<string> {
	const digest = createHash('sha256');
	const buffer = Buffer.alloc(1 << 20);
	for (let position = 0; position < size;) {
		const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
		if (bytesRead === 0) break;
		digest.update(buffer.subarray(0, bytesRead));
		position += bytesRead;
	}
	return digest.digest('hex');
}

const etagMatches = (header: string | undefined, etag: string): boolean =>
	header !== undefined &&
	header.split(',').some((part) => {
		const tag = part.trim().replace(/^W\//, '');
		return tag === '*' || tag === etag;
	});

export function createBasemapService(
	options: BasemapServiceOptions
): (req: http.IncomingMessage, res: http.ServerResponse, rawPath: string) => void {
	const now = options.now ?? Date.now;
	const hashes = new Map<string, { version: string; hash: string }>();

	const serve = async (
		req: http.IncomingMessage,
		res: http.ServerResponse,
		rawPath: string
	): Promise<void> => {
		const communityId = ROUTE.exec(rawPath)?.[1] ?? '';
		if (!ID_SEGMENT.test(communityId)) throw new Refusal(404, 'not_found');
		const method = req.method ?? 'GET';
		if (method !== 'GET' && method !== 'HEAD') throw new Refusal(405, 'method_not_allowed');
		await bearerClaims(req, { ...options, now }, communityId);
		let handle: fsp.FileHandle;
		try {
			handle = await fsp.open(basemapPath(options.dataDir, communityId), 'r');
		} catch {
			throw new Refusal(404, 'no_basemap');
		}
		let streaming = false;
		try {
			const stat = await handle.stat();
			const version = `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
			let known = hashes.get(communityId);
			if (known?.version !== version) {
				known = { version, hash: await hashOf(handle, stat.size) };
				hashes.set(communityId, known);
			}
			const etag = `"${known.hash}"`;
			const headers: Record<string, string | number> = {
				'Content-Type': 'application/vnd.pmtiles',
				'Accept-Ranges': 'bytes',
				ETag: etag,
				'Cache-Control': 'private, no-cache',
				'X-Content-Type-Options': 'nosniff',
				'Content-Security-Policy': "default-src 'none'; sandbox",
				'Cross-Origin-Resource-Policy': 'same-origin',
				Vary: 'Authorization'
			};
			if (etagMatches(req.headers['if-none-match'], etag)) {
				res.writeHead(304, headers);
				res.end();
				return;
			}
			const ifRange = req.headers['if-range'];
			const rangeApplies = ifRange === undefined || String(ifRange).trim() === etag;
			const range = rangeApplies ? parseRange(req.headers.range, stat.size) : null;
			if (range === 'unsatisfiable') {
				res.writeHead(416, { ...headers, 'Content-Range': `bytes */${stat.size}` });
				res.end();
				return;
			}
			const start = range?.start ?? 0;
			const end = range?.end ?? stat.size - 1;
			const length = Math.max(0, end - start + 1);
			res.writeHead(range ? 206 : 200, {
				...headers,
				'Content-Length': length,
				...(range ? { 'Content-Range': `bytes ${start}-${end}/${stat.size}` } : {})
			});
			if (method === 'HEAD' || length === 0) {
				res.end();
				return;
			}
			const stream = handle.createReadStream({ start, end, autoClose: true });
			streaming = true;
			await new Promise<void>((resolve, reject) => {
				stream.on('error', reject);
				res.on('close', () => {
					stream.destroy();
					resolve();
				});
				stream.pipe(res);
			});
		} finally {
			if (!streaming) await handle.close().catch(() => {});
		}
	};

	return (req, res, rawPath) => {
		serve(req, res, rawPath).catch((error: unknown) => {
			if (res.headersSent) {
				res.destroy();
				return;
			}
			answerRefusal(req, res, error, (internal) =>
				options.log({ event: 'basemap-error', error: String(internal) })
			);
		});
	};
}
