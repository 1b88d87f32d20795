/**
 * Serves the built app (adapter-static output) from STATIC_DIR.
 *
 * Invariants:
 * - A request never reads outside STATIC_DIR: the raw path is checked before and after
 *   decoding (no `..` segment, no backslash, no NUL, no bad percent-encoding → 400), and the
 *   resolved file must sit inside the resolved root.
 * - Hashed files under /_app/immutable/ are cached for a year; the HTML shell, the manifest and
 *   the service-worker files are revalidated on every load (`no-cache`) so an update reaches
 *   users; everything else gets a short cache.
 * - A path with no file but a prerendered page beside it (`/join` → `join.html`) gets that page,
 *   revalidated like every HTML file.
 * - A path with no file falls back to 200.html for GET/HEAD requests that accept HTML (SPA deep
 *   links), and is a 404 otherwise.
 * - Compression is done at build time (sync-server/precompress.ts writes `<file>.br` and
 *   `<file>.gz`); a request gets the twin its `Accept-Encoding` allows (brotli before gzip, q=0
 *   refuses), with `Content-Encoding` and the twin's length, else the file itself. Every file that
 *   has a twin is sent with `Vary: Accept-Encoding`, so caches keep the encodings apart; the
 *   cache headers are the same whichever body is sent. A twin older than its file (the file was
 *   replaced after the build) is ignored: the file itself goes out until the next build.
 * - Every answer carries SECURITY_HEADERS: what the page's own Content-Security-Policy <meta>
 *   (SvelteKit's, with script hashes: svelte.config.js) cannot say, such as frame-ancestors,
 *   plus nosniff, the referrer and permissions policies and the opener policy.
 */
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.mjs': 'text/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.json': 'application/json; charset=utf-8',
	'.webmanifest': 'application/manifest+json; charset=utf-8',
	'.png': 'image/png',
	'.jpg': 'image/jpeg',
	'.webp': 'image/webp',
	'.svg': 'image/svg+xml',
	'.ico': 'image/x-icon',
	'.woff2': 'font/woff2',
	'.txt': 'text/plain; charset=utf-8',
	'.map': 'application/json; charset=utf-8'
};

const CACHE_IMMUTABLE = 'public, max-age=31536000, immutable';
const CACHE_REVALIDATE = 'no-cache';
const CACHE_SHORT = 'public, max-age=3600';

const FALLBACK_PAGE = '200.html';

/**
 * Headers on every file the relay serves. The CSP here only adds to the page's <meta> policy
 * (both apply): framing, which a <meta> cannot forbid, and plugins and <base>.
 * Permissions: location for the coming map and the camera for photos, on this origin only.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
	'Content-Security-Policy': "frame-ancestors 'none'; object-src 'none'; base-uri 'self'",
	'X-Frame-Options': 'DENY',
	'X-Content-Type-Options': 'nosniff',
	'Referrer-Policy': 'no-referrer',
	'Permissions-Policy': 'geolocation=(self), camera=(self), microphone=(), payment=(), usb=()',
	'Cross-Origin-Opener-Policy': 'same-origin'
};
const NO_BUILD_HINT =
	'Gridboard relay is running, but no app build was found in STATIC_DIR.\n' +
	'Run `npm run build` (or set STATIC_DIR) and restart. Sync endpoint: /sync/<docName>\n';

export function contentTypeFor(file: string): string {
	return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export function cacheControlFor(urlPath: string): string {
	if (urlPath.startsWith('/_app/immutable/')) return CACHE_IMMUTABLE;
	const base = path.posix.basename(urlPath);
	if (
		base.endsWith('.html') ||
		base === 'manifest.webmanifest' ||
		base === 'sw.js' ||
		base === 'registerSW.js' ||
		base === 'precache-warm.js' ||
		/^workbox-[\w-]+\.js$/.test(base)
	) {
		return CACHE_REVALIDATE;
	}
	return CACHE_SHORT;
}

export type SafePath = { ok: true; value: string } | { ok: false; status: 400 | 404 };

/** Turns a raw request path into a decoded, root-relative path, or refuses it. */
export function safeRelativePath(rawPath: string): SafePath {
	if (!rawPath.startsWith('/') || rawPath.includes('\\') || rawPath.includes('\0')) {
		return { ok: false, status: 400 };
	}
	let decoded: string;
	try {
		decoded = decodeURIComponent(rawPath);
	} catch {
		return { ok: false, status: 400 };
	}
	if (decoded.includes('\0') || decoded.includes('\\')) return { ok: false, status: 400 };
	const segments = decoded.split('/');
	if (segments.some((s) => s === '..' || s === '.')) return { ok: false, status: 400 };
	// Dotfiles (.env, .git) are never part of a build.
	if (segments.some((s) => s.startsWith('.'))) return { ok: false, status: 404 };
	return { ok: true, value: decoded };
}

function acceptsHtml(req: IncomingMessage): boolean {
	return (req.headers.accept ?? '').includes('text/html');
}

function fileIn(root: string, relative: string): string | null {
	const file = path.resolve(root, '.' + relative);
	if (file !== root && !file.startsWith(root + path.sep)) return null;
	try {
		return fs.statSync(file).isFile() ? file : null;
	} catch {
		return null;
	}
}

export type ContentCoding = 'br' | 'gzip';

/** A twin written this long before its file still counts as made from it (copies, clocks). */
const STALE_SLACK_MS = 2000;

/** What each coding's twin is called beside the file (sync-server/precompress.ts writes them). */
const TWIN_SUFFIX: Record<ContentCoding, string> = { br: '.br', gzip: '.gz' };

/**
 * The codings an `Accept-Encoding` header allows, best first: brotli, then gzip. A coding is
 * allowed when listed with q > 0, or matched by `*` with q > 0 and not listed itself; `q=0`
 * refuses it. No header means identity only (RFC 9110 allows any, but old clients send none).
 */
export function acceptedCodings(header: string | string[] | undefined): ContentCoding[] {
	const value = Array.isArray(header) ? header.join(',') : (header ?? '');
	const q = new Map<string, number>();
	for (const part of value.split(',')) {
		const [token, ...params] = part.trim().toLowerCase().split(';');
		if (!token) continue;
		let weight = 1;
		for (const param of params) {
			const [key, raw] = param.trim().split('=');
			if (key === 'q') {
				const parsed = Number(raw);
				weight = Number.isFinite(parsed) ? parsed : 0;
			}
		}
		// x-gzip is gzip's old alias (RFC 9110 §8.4.1.3).
		const name = token === 'x-gzip' ? 'gzip' : token;
		q.set(name, Math.max(weight, q.get(name) ?? 0));
	}
	const wildcard = q.get('*');
	return (['br', 'gzip'] as const).filter((coding) => {
		const weight = q.get(coding) ?? wildcard ?? 0;
		return weight > 0;
	});
}

function fileStat(file: string): { size: number; mtimeMs: number } | null {
	try {
		const stat = fs.statSync(file);
		return stat.isFile() ? { size: stat.size, mtimeMs: stat.mtimeMs } : null;
	} catch {
		return null;
	}
}

function sendFile(
	req: IncomingMessage,
	res: ServerResponse,
	file: string,
	cacheControl: string
): void {
	const original = fileStat(file);
	if (original === null) {
		sendText(res, 404, 'Not found\n');
		return;
	}
	const size = original.size;
	// A twin older than its file is stale (the file was replaced after the build): not sent. The
	// slack lets a plain `cp -r` of a build, which may copy a twin just before its file, pass.
	const twins = (['br', 'gzip'] as const)
		.map((coding) => ({ coding, file: file + TWIN_SUFFIX[coding] }))
		.map((twin) => ({ ...twin, stat: fileStat(twin.file) }))
		.filter((twin) => twin.stat !== null && twin.stat.mtimeMs >= original.mtimeMs - STALE_SLACK_MS)
		.map((twin) => ({ coding: twin.coding, file: twin.file, size: twin.stat!.size }));
	const accepted = acceptedCodings(req.headers['accept-encoding']);
	const chosen = accepted
		.map((coding) => twins.find((twin) => twin.coding === coding))
		.find((twin) => twin !== undefined);
	const headers: Record<string, string | number> = {
		...SECURITY_HEADERS,
		'Content-Type': contentTypeFor(file),
		'Content-Length': chosen ? chosen.size : size,
		'Cache-Control': cacheControl
	};
	if (twins.length > 0) headers['Vary'] = 'Accept-Encoding';
	if (chosen) headers['Content-Encoding'] = chosen.coding;
	res.writeHead(200, headers);
	if (req.method === 'HEAD') {
		res.end();
		return;
	}
	const stream = fs.createReadStream(chosen ? chosen.file : file);
	stream.on('error', () => res.destroy());
	stream.pipe(res);
}

export function sendText(res: ServerResponse, status: number, text: string): void {
	res.writeHead(status, {
		...SECURITY_HEADERS,
		'Content-Type': 'text/plain; charset=utf-8',
		'Cache-Control': 'no-store'
	});
	res.end(text);
}

export function createStaticHandler(staticDir: string) {
	const root = path.resolve(staticDir);
	return function serveStatic(req: IncomingMessage, res: ServerResponse, rawPath: string): void {
		if (req.method !== 'GET' && req.method !== 'HEAD') {
			res.setHeader('Allow', 'GET, HEAD');
			sendText(res, 405, 'Method not allowed\n');
			return;
		}
		const safe = safeRelativePath(rawPath);
		if (!safe.ok) {
			sendText(res, safe.status, safe.status === 400 ? 'Bad request\n' : 'Not found\n');
			return;
		}
		const relative = safe.value.endsWith('/') ? safe.value + 'index.html' : safe.value;
		const file = fileIn(root, relative);
		if (file) {
			sendFile(req, res, file, cacheControlFor(relative));
			return;
		}
		// A prerendered page (`/join` → join.html) is served as it was built, HTML and all.
		const page = relative.endsWith('.html') ? null : fileIn(root, relative + '.html');
		if (page && !safe.value.startsWith('/_app/')) {
			sendFile(req, res, page, CACHE_REVALIDATE);
			return;
		}
		const fallback = fileIn(root, '/' + FALLBACK_PAGE);
		if (!fallback) {
			if (safe.value === '/') sendText(res, 200, NO_BUILD_HINT);
			else sendText(res, 404, 'Not found\n');
			return;
		}
		// `/` is always a navigation; other paths only when the client asks for HTML.
		if ((safe.value === '/' || acceptsHtml(req)) && !safe.value.startsWith('/_app/')) {
			sendFile(req, res, fallback, CACHE_REVALIDATE);
			return;
		}
		sendText(res, 404, 'Not found\n');
	};
}
