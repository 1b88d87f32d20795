/**
 * Precompressed static files: a real relay on port 0 serving a build that went through
 * sync-server/precompress.ts. Requests go through node:http, which (unlike fetch) neither adds an
 * Accept-Encoding of its own nor decodes the body, so the bytes on the wire are what is checked.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { precompressDir } from './precompress.ts';
import { acceptedCodings, cacheControlFor } from './static-files.ts';
import { makeTempDir, removeDir, startTestRelay, type TestRelay } from './test-helpers.ts';

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
	for (const cleanup of cleanups.reverse()) await cleanup();
	cleanups = [];
});

// Realistic, compressible content: a few KB of repetitive JavaScript, CSS and HTML.
const JS = 'export function f(a){return a.map((x)=>x*2).filter(Boolean)}\n'.repeat(200);
const CSS = '.card{padding:1rem;border:1px solid #ddd;border-radius:8px}\n'.repeat(100);
const HTML =
	'<!doctype html><title>Gridboard</title>' +
	'<link href="/_app/immutable/chunks/abc.js" rel="modulepreload">\n'.repeat(40);
const FILES: Record<string, string | Buffer> = {
	'200.html': HTML,
	'_app/immutable/entry/start.abc123.js': JS,
	'_app/immutable/assets/app.def456.css': CSS,
	'sw.js': JS,
	'manifest.webmanifest': '{}',
	'robots.txt': 'User-agent: *',
	// Already dense: a compressed twin would not be smaller, so it must not exist.
	'icons/icon-192.png': Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))
};

async function relayWithCompressedBuild(
	extra: Record<string, string> = {}
): Promise<{ relay: TestRelay; dir: string }> {
	const root = makeTempDir('gridboard-static-br-');
	cleanups.push(() => removeDir(root));
	const dir = path.join(root, 'build');
	for (const [name, content] of Object.entries({ ...FILES, ...extra })) {
		fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
		fs.writeFileSync(path.join(dir, name), content);
	}
	precompressDir(dir);
	const started = await startTestRelay({ staticDir: dir });
	cleanups.push(() => removeDir(started.dataDir));
	cleanups.push(() => started.relay.close());
	return { relay: started, dir };
}

type Raw = { status: number; headers: http.IncomingHttpHeaders; body: Buffer };

function get(
	relay: TestRelay,
	urlPath: string,
	headers: Record<string, string>,
	method = 'GET'
): Promise<Raw> {
	return new Promise((resolve, reject) => {
		const req = http.request(
			{ host: '127.0.0.1', port: relay.relay.port, path: urlPath, method, headers, agent: false },
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (chunk: Buffer) => chunks.push(chunk));
				res.on('end', () =>
					resolve({
						status: res.statusCode ?? 0,
						headers: res.headers,
						body: Buffer.concat(chunks)
					})
				);
				res.on('error', reject);
			}
		);
		req.on('error', reject);
		req.end();
	});
}

const JS_PATH = '/_app/immutable/entry/start.abc123.js';

describe('precompress (build step)', () => {
	it('writes brotli and gzip twins for compressible files only', async () => {
		const { dir } = await relayWithCompressedBuild();
		const exists = (name: string) => fs.existsSync(path.join(dir, name));
		for (const name of ['200.html', '_app/immutable/entry/start.abc123.js', 'sw.js']) {
			expect(exists(name + '.br'), name).toBe(true);
			expect(exists(name + '.gz'), name).toBe(true);
			const original = fs.readFileSync(path.join(dir, name));
			expect(brotliDecompressSync(fs.readFileSync(path.join(dir, name + '.br')))).toEqual(original);
			expect(gunzipSync(fs.readFileSync(path.join(dir, name + '.gz')))).toEqual(original);
		}
		// Tiny files and files that would not shrink keep no twin.
		for (const name of ['manifest.webmanifest', 'robots.txt', 'icons/icon-192.png']) {
			expect(exists(name + '.br'), name).toBe(false);
			expect(exists(name + '.gz'), name).toBe(false);
		}
	});

	it('removes stale twins on a second run', () => {
		const dir = makeTempDir('gridboard-precompress-');
		cleanups.push(() => removeDir(dir));
		fs.writeFileSync(path.join(dir, 'a.js'), JS);
		precompressDir(dir);
		fs.writeFileSync(path.join(dir, 'a.js'), 'x');
		precompressDir(dir);
		expect(fs.readdirSync(dir).sort()).toEqual(['a.js']);
	});
});

describe('Accept-Encoding', () => {
	it('prefers brotli, then gzip, and honours q=0 and *', () => {
		expect(acceptedCodings('gzip, deflate, br, zstd')).toEqual(['br', 'gzip']);
		expect(acceptedCodings('gzip')).toEqual(['gzip']);
		expect(acceptedCodings('br;q=0, gzip;q=0.5')).toEqual(['gzip']);
		expect(acceptedCodings('br;q=0.0, gzip;q=0')).toEqual([]);
		expect(acceptedCodings('*')).toEqual(['br', 'gzip']);
		expect(acceptedCodings('*;q=0.1, br;q=0')).toEqual(['gzip']);
		expect(acceptedCodings('identity')).toEqual([]);
		expect(acceptedCodings('')).toEqual([]);
		expect(acceptedCodings(undefined)).toEqual([]);
		expect(acceptedCodings('x-gzip')).toEqual(['gzip']);
	});
});

describe('service worker imports', () => {
	it('the precache warmer is revalidated like the service worker that imports it', () => {
		expect(cacheControlFor('/precache-warm.js')).toBe(cacheControlFor('/sw.js'));
		expect(cacheControlFor('/precache-warm.js')).toBe('no-cache');
	});
});

describe('precompressed static files', () => {
	it('sends brotli when accepted, with its length, Content-Encoding and Vary', async () => {
		const { relay } = await relayWithCompressedBuild();
		const res = await get(relay, JS_PATH, { 'accept-encoding': 'gzip, deflate, br, zstd' });
		expect(res.status).toBe(200);
		expect(res.headers['content-encoding']).toBe('br');
		expect(res.headers['vary']).toBe('Accept-Encoding');
		expect(Number(res.headers['content-length'])).toBe(res.body.length);
		expect(res.body.length).toBeLessThan(JS.length / 5);
		expect(brotliDecompressSync(res.body).toString()).toBe(JS);
	});

	it('sends gzip when brotli is not accepted', async () => {
		const { relay } = await relayWithCompressedBuild();
		const res = await get(relay, JS_PATH, { 'accept-encoding': 'gzip, deflate' });
		expect(res.headers['content-encoding']).toBe('gzip');
		expect(res.headers['vary']).toBe('Accept-Encoding');
		expect(Number(res.headers['content-length'])).toBe(res.body.length);
		expect(gunzipSync(res.body).toString()).toBe(JS);
	});

	it('sends the file itself when no coding is accepted, still with Vary', async () => {
		const { relay } = await relayWithCompressedBuild();
		for (const headers of [{}, { 'accept-encoding': 'identity' }] as Record<string, string>[]) {
			const res = await get(relay, JS_PATH, headers);
			expect(res.headers['content-encoding']).toBeUndefined();
			expect(res.headers['vary']).toBe('Accept-Encoding');
			expect(Number(res.headers['content-length'])).toBe(JS.length);
			expect(res.body.toString()).toBe(JS);
		}
	});

	it('refuses a coding with q=0', async () => {
		const { relay } = await relayWithCompressedBuild();
		const noBr = await get(relay, JS_PATH, { 'accept-encoding': 'br;q=0, gzip' });
		expect(noBr.headers['content-encoding']).toBe('gzip');
		const none = await get(relay, JS_PATH, { 'accept-encoding': 'br;q=0, gzip;q=0' });
		expect(none.headers['content-encoding']).toBeUndefined();
		expect(none.body.toString()).toBe(JS);
	});

	it('keeps the cache headers whatever the encoding', async () => {
		const { relay } = await relayWithCompressedBuild();
		const cases: [string, string, string][] = [
			[JS_PATH, 'text/javascript', 'public, max-age=31536000, immutable'],
			['/_app/immutable/assets/app.def456.css', 'text/css', 'public, max-age=31536000, immutable'],
			['/200.html', 'text/html', 'no-cache'],
			['/sw.js', 'text/javascript', 'no-cache']
		];
		for (const [urlPath, type, cache] of cases) {
			for (const encoding of ['br', 'gzip', 'identity']) {
				const res = await get(relay, urlPath, { 'accept-encoding': encoding });
				expect(res.headers['cache-control'], `${urlPath} ${encoding}`).toBe(cache);
				expect(res.headers['content-type'], `${urlPath} ${encoding}`).toContain(type);
				expect(res.headers['x-content-type-options']).toBe('nosniff');
			}
		}
	});

	it('answers HEAD with the headers of the GET and no body', async () => {
		const { relay } = await relayWithCompressedBuild();
		const full = await get(relay, JS_PATH, { 'accept-encoding': 'br' });
		const head = await get(relay, JS_PATH, { 'accept-encoding': 'br' }, 'HEAD');
		expect(head.status).toBe(200);
		expect(head.body.length).toBe(0);
		expect(head.headers['content-encoding']).toBe('br');
		expect(head.headers['content-length']).toBe(full.headers['content-length']);
		expect(head.headers['vary']).toBe('Accept-Encoding');
	});

	it('compresses the SPA fallback for deep links', async () => {
		const { relay } = await relayWithCompressedBuild();
		for (const deep of ['/', '/join', '/c/demo/board/g01']) {
			const res = await get(relay, deep, { accept: 'text/html', 'accept-encoding': 'gzip, br' });
			expect(res.status, deep).toBe(200);
			expect(res.headers['content-encoding'], deep).toBe('br');
			expect(res.headers['vary'], deep).toBe('Accept-Encoding');
			expect(res.headers['cache-control'], deep).toBe('no-cache');
			expect(Number(res.headers['content-length'])).toBe(res.body.length);
			expect(brotliDecompressSync(res.body).toString()).toBe(HTML);
			const head = await get(
				relay,
				deep,
				{ accept: 'text/html', 'accept-encoding': 'gzip' },
				'HEAD'
			);
			expect(head.headers['content-encoding'], deep).toBe('gzip');
			expect(head.body.length).toBe(0);
		}
	});

	it('serves a prerendered page for its path, compressed and revalidated', async () => {
		const JOIN = '<!doctype html><h1>加入社区</h1><form><input id="display-name"></form>\n'.repeat(
			20
		);
		const { relay } = await relayWithCompressedBuild({ 'join.html': JOIN });
		const res = await get(relay, '/join', { accept: 'text/html', 'accept-encoding': 'br' });
		expect(res.status).toBe(200);
		expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
		expect(res.headers['content-encoding']).toBe('br');
		expect(res.headers['cache-control']).toBe('no-cache');
		expect(brotliDecompressSync(res.body).toString()).toBe(JOIN);
		// Other deep links still get the app shell; no page is made up under /_app/.
		const deep = await get(relay, '/c/demo', { accept: 'text/html', 'accept-encoding': 'br' });
		expect(brotliDecompressSync(deep.body).toString()).toBe(HTML);
		const app = await get(relay, '/_app/immutable/entry/start.abc123', { accept: 'text/html' });
		expect(app.status).toBe(404);
	});

	it('a file replaced after the build is sent as it is, not from its stale twins', async () => {
		const { relay, dir } = await relayWithCompressedBuild();
		const file = path.join(dir, 'sw.js');
		const replaced = JS + '// deployed again\n';
		fs.writeFileSync(file, replaced);
		const later = new Date(Date.now() + 60_000);
		fs.utimesSync(file, later, later);
		for (const encoding of ['br', 'gzip']) {
			const res = await get(relay, '/sw.js', { 'accept-encoding': encoding });
			expect(res.headers['content-encoding'], encoding).toBeUndefined();
			expect(res.body.toString(), encoding).toBe(replaced);
		}
	});

	it('files without a twin are sent as they are, without Vary', async () => {
		const { relay } = await relayWithCompressedBuild();
		const res = await get(relay, '/icons/icon-192.png', { 'accept-encoding': 'br, gzip' });
		expect(res.headers['content-encoding']).toBeUndefined();
		expect(res.headers['vary']).toBeUndefined();
		expect(res.body.length).toBe(4096);
	});
});
