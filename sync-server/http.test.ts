/**
 * The HTTP side: upgrade refusal for bad document names (before storage), static files with
 * their cache headers, the SPA fallback, traversal refusal, and /health.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from './storage/sqlite.ts';
import type { DocStore } from './storage/types.ts';
import {
	connectSynced,
	makeTempDir,
	rawHttpStatus,
	removeDir,
	startTestRelay,
	upgradeStatus,
	type TestRelay
} from './test-helpers.ts';

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
	for (const cleanup of cleanups.reverse()) await cleanup();
	cleanups = [];
});

async function relay(options: Parameters<typeof startTestRelay>[0] = {}): Promise<TestRelay> {
	const started = await startTestRelay(options);
	cleanups.push(() => removeDir(started.dataDir));
	cleanups.push(() => started.relay.close());
	return started;
}

/** Wraps a store and records every document name any call receives. */
function spyStore(inner: DocStore): { store: DocStore; touched: string[] } {
	const touched: string[] = [];
	const store: DocStore = {
		load: (doc) => (touched.push(doc), inner.load(doc)),
		appendBatch: (entries) => (
			entries.forEach((e) => touched.push(e.doc)),
			inner.appendBatch(entries)
		),
		compact: (doc, snapshot, upTo) => (touched.push(doc), inner.compact(doc, snapshot, upTo)),
		sync: (done) => inner.sync(done),
		syncNow: () => inner.syncNow(),
		hasDoc: (doc) => (touched.push(doc), inner.hasDoc(doc)),
		docNames: () => inner.docNames(),
		attribution: (doc) => inner.attribution(doc),
		historyBefore: (doc, before) => (touched.push(doc), inner.historyBefore(doc, before)),
		historyHours: (doc) => (touched.push(doc), inner.historyHours(doc)),
		close: () => inner.close()
	};
	return { store, touched };
}

describe('document names at upgrade', () => {
	const BAD_PATHS = [
		'/sync/c/demo/../x',
		'/sync/c/demo/board/..',
		'/sync/c/demo/unknown/x',
		'/sync/c/Demo/board/g1',
		'/sync/%2e%2e',
		'/sync/c/demo/board/%2e%2e',
		'/sync/c%2Fdemo%2Fboard%2Fg1',
		'/sync/c/demo/board/g1%00',
		'/sync/c/demo/board/g1/extra',
		'/sync/c/demo/tasks/t1',
		'/sync/c/demo/board/' + 'a'.repeat(200),
		'/sync/',
		'/sync'
	];

	it('refuses bad names with 400 (or 404 off /sync/) and never touches storage', async () => {
		const dataDir = makeTempDir();
		const sqlite = new SqliteStore(dataDir);
		const { store, touched } = spyStore(sqlite);
		const { relay: r, wsUrl } = await relay({ dataDir, store });
		const good = await connectSynced(wsUrl, 'c/demo/board/g01');
		cleanups.push(() => good.destroy());
		good.doc.getMap('m').set('k', 'v');
		await new Promise<void>((resolve) => {
			const check = (): void => {
				if (sqlite.docNames().length === 1) resolve();
				else setTimeout(check, 5);
			};
			check();
		});
		const touchedBefore = touched.length;
		const namesBefore = sqlite.docNames();
		for (const bad of BAD_PATHS) {
			const status = await rawHttpStatus(r.port, bad, true);
			expect([400, 404], bad).toContain(status);
		}
		// Names the WHATWG URL parser would rewrite are covered above; these go through `ws`.
		expect(await upgradeStatus(`${wsUrl}/c/demo/unknown/x`)).toBe(400);
		expect(await upgradeStatus(`${wsUrl}/c/demo/board/g01`)).toBe(101);
		expect(touched.slice(touchedBefore).filter((n) => n !== 'c/demo/board/g01')).toEqual([]);
		expect(sqlite.docNames()).toEqual(namesBefore);
		expect(namesBefore).toEqual(['c/demo/board/g01']);
	});

	it('accepts a query string after the name', async () => {
		const { wsUrl } = await relay();
		expect(await upgradeStatus(`${wsUrl}/c/demo/directory?token=abc`)).toBe(101);
	});
});

describe('static files', () => {
	function writeBuild(dir: string): void {
		const files: Record<string, string> = {
			'200.html': '<!doctype html><title>Gridboard</title>',
			'_app/immutable/entry/start.abc123.js': 'export {};',
			'_app/immutable/assets/app.def456.css': 'body{}',
			'_app/version.json': '{"version":"1"}',
			'manifest.webmanifest': '{}',
			'sw.js': '/* sw */',
			'registerSW.js': '/* register */',
			'workbox-2fbc6a65.js': '/* workbox */',
			'icons/icon-192.png': 'png',
			'favicon.svg': '<svg/>',
			'robots.txt': 'User-agent: *'
		};
		for (const [name, content] of Object.entries(files)) {
			fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
			fs.writeFileSync(path.join(dir, name), content);
		}
	}

	async function relayWithBuild(): Promise<TestRelay & { root: string }> {
		const root = makeTempDir('gridboard-static-');
		cleanups.push(() => removeDir(root));
		const staticDir = path.join(root, 'build');
		writeBuild(staticDir);
		fs.writeFileSync(path.join(root, 'secret.txt'), 'TOP SECRET');
		return { ...(await relay({ staticDir })), root };
	}

	it('serves files with content types and cache headers', async () => {
		const { relay: r } = await relayWithBuild();
		const expectations: [string, string, string][] = [
			[
				'/_app/immutable/entry/start.abc123.js',
				'text/javascript',
				'public, max-age=31536000, immutable'
			],
			['/_app/immutable/assets/app.def456.css', 'text/css', 'public, max-age=31536000, immutable'],
			['/200.html', 'text/html', 'no-cache'],
			['/manifest.webmanifest', 'application/manifest+json', 'no-cache'],
			['/sw.js', 'text/javascript', 'no-cache'],
			['/registerSW.js', 'text/javascript', 'no-cache'],
			['/workbox-2fbc6a65.js', 'text/javascript', 'no-cache'],
			['/_app/version.json', 'application/json', 'public, max-age=3600'],
			['/icons/icon-192.png', 'image/png', 'public, max-age=3600'],
			['/favicon.svg', 'image/svg+xml', 'public, max-age=3600'],
			['/robots.txt', 'text/plain', 'public, max-age=3600']
		];
		for (const [urlPath, type, cache] of expectations) {
			const res = await fetch(r.url + urlPath);
			expect(res.status, urlPath).toBe(200);
			expect(res.headers.get('content-type'), urlPath).toContain(type);
			expect(res.headers.get('cache-control'), urlPath).toBe(cache);
			await res.arrayBuffer();
		}
	});

	it('falls back to 200.html for deep links that accept HTML, 404 otherwise', async () => {
		const { relay: r } = await relayWithBuild();
		for (const deep of ['/', '/c/demo/board/g01', '/settings']) {
			const res = await fetch(r.url + deep, { headers: { accept: 'text/html' } });
			expect(res.status, deep).toBe(200);
			expect(res.headers.get('cache-control')).toBe('no-cache');
			expect(await res.text()).toContain('<title>Gridboard</title>');
		}
		const missingAsset = await fetch(r.url + '/_app/immutable/missing.js', {
			headers: { accept: 'text/html' }
		});
		expect(missingAsset.status).toBe(404);
		const notHtml = await fetch(r.url + '/c/demo/board/g01', {
			headers: { accept: 'application/json' }
		});
		expect(notHtml.status).toBe(404);
		const post = await fetch(r.url + '/c/demo', { method: 'POST' });
		expect(post.status).toBe(405);
	});

	it('every file and refusal carries the security headers', async () => {
		const { relay: r } = await relayWithBuild();
		for (const [urlPath, status] of [
			['/', 200],
			['/c/demo/board/g01', 200],
			['/_app/immutable/entry/start.abc123.js', 200],
			['/sw.js', 200],
			['/_app/immutable/missing.js', 404]
		] as const) {
			const res = await fetch(r.url + urlPath, { headers: { accept: 'text/html' } });
			expect(res.status, urlPath).toBe(status);
			const csp = res.headers.get('content-security-policy') ?? '';
			expect(csp, urlPath).toContain("frame-ancestors 'none'");
			expect(csp, urlPath).toContain("object-src 'none'");
			expect(res.headers.get('x-frame-options'), urlPath).toBe('DENY');
			expect(res.headers.get('x-content-type-options'), urlPath).toBe('nosniff');
			expect(res.headers.get('referrer-policy'), urlPath).toBe('no-referrer');
			const permissions = res.headers.get('permissions-policy') ?? '';
			expect(permissions, urlPath).toContain('geolocation=(self)');
			expect(permissions, urlPath).toContain('camera=(self)');
			expect(permissions, urlPath).toContain('microphone=()');
			expect(res.headers.get('cross-origin-opener-policy'), urlPath).toBe('same-origin');
			await res.arrayBuffer();
		}
	});

	it('refuses path traversal and tricks', async () => {
		const { relay: r } = await relayWithBuild();
		const tricks = [
			'/../secret.txt',
			'/%2e%2e/secret.txt',
			'/%2E%2E%2Fsecret.txt',
			'/_app/../../secret.txt',
			'/..%2fsecret.txt',
			'/%00',
			'/200.html%00.js',
			'/..\\secret.txt',
			'/%5c..%5csecret.txt',
			'/%E0%A4%A',
			'/.env'
		];
		for (const trick of tricks) {
			const status = await rawHttpStatus(r.port, trick, false);
			expect([400, 404], trick).toContain(status);
		}
	});

	it('without a build, / explains what to do; /health reports JSON', async () => {
		const { relay: r } = await relay();
		const home = await fetch(r.url + '/');
		expect(home.status).toBe(200);
		expect(await home.text()).toContain('npm run build');
		const health = await fetch(r.url + '/health');
		expect(health.headers.get('content-type')).toContain('application/json');
		const body = (await health.json()) as Record<string, unknown>;
		expect(body).toMatchObject({ ok: true, docsLoaded: 0, connections: 0 });
		expect(typeof body.uptimeSeconds).toBe('number');
		expect(typeof body.version).toBe('string');
	});
});
