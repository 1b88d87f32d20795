/**
 * The basemap store against a fake relay (a fetch that answers ranges, ETags and 304 like
 * sync-server/basemap/serve.ts and can break a body off mid-way): resuming from what is
 * stored, restarting when the archive changed, keeping the old archive until a newer one is
 * whole, refusing a corrupt download, the IndexedDB shelf when OPFS is absent, and the Source.
 */
import { createHash } from 'node:crypto';
import { IDBFactory } from 'fake-indexeddb';
import { PMTiles } from 'pmtiles';
import { describe, expect, it } from 'vitest';
import {
	BASEMAP_DB,
	blobSource,
	createBasemapStore,
	defaultShelf,
	FLUSH_BYTES,
	indexedDbShelf,
	type Progress,
	type Shelf
} from './basemap-store.ts';

function memoryShelf(): Shelf & { files: Map<string, Blob> } {
	const files = new Map<string, Blob>();
	return {
		kind: 'memory',
		files,
		read: async (name) => files.get(name) ?? null,
		write: async (name, data) => void files.set(name, data),
		append: async (name, data) => void files.set(name, new Blob([files.get(name) ?? '', data])),
		remove: async (name) => void files.delete(name),
		list: async () => [...files.keys()]
	};
}

const etagOf = (bytes: Uint8Array) => `"${createHash('sha256').update(bytes).digest('hex')}"`;

function archive(size: number, seed: number): Uint8Array<ArrayBuffer> {
	const bytes = new Uint8Array(size);
	for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed * 7) % 251;
	return bytes;
}

type Call = { method: string; headers: Record<string, string> };

/** A relay serving `current.bytes`; `breakAfter` cuts the next body after that many bytes. */
function fakeRelay(initial: Uint8Array<ArrayBuffer> | null) {
	const state = {
		bytes: initial,
		breakAfter: null as number | null,
		calls: [] as Call[],
		/** Answers `bytes` while claiming this ETag (a relay serving a damaged file). */
		lieEtag: null as string | null
	};
	const fetch = async (_url: string, init?: RequestInit): Promise<Response> => {
		const headers = { ...(init?.headers as Record<string, string>) };
		const method = init?.method ?? 'GET';
		state.calls.push({ method, headers });
		if (headers.Authorization !== 'Bearer t')
			return Response.json({ error: 'token_invalid' }, { status: 401 });
		const bytes = state.bytes;
		if (!bytes) return Response.json({ error: 'no_basemap' }, { status: 404 });
		const etag = state.lieEtag ?? etagOf(bytes);
		const base = { ETag: etag, 'Accept-Ranges': 'bytes' };
		if (headers['If-None-Match'] === etag)
			return new Response(null, { status: 304, headers: base });
		let start = 0;
		const range = /^bytes=(\d+)-$/.exec(headers.Range ?? '');
		if (range && (!headers['If-Range'] || headers['If-Range'] === etag)) {
			start = Number(range[1]);
			if (start >= bytes.length) return new Response(null, { status: 416, headers: base });
		}
		const body = bytes.subarray(start);
		const cut = state.breakAfter;
		state.breakAfter = null;
		// Chunk by chunk, as a network delivers them; a cut errors the stream after what it let through.
		const end = cut === null ? body.length : Math.min(cut, body.length);
		let at = 0;
		const stream = new ReadableStream<Uint8Array>({
			pull(controller) {
				if (at < end) {
					const next = Math.min(end, at + 64 * 1024);
					controller.enqueue(body.slice(at, next));
					at = next;
				} else if (cut === null) controller.close();
				else controller.error(new TypeError('network error'));
			}
		});
		const headersOut: Record<string, string> = {
			...base,
			'Content-Length': String(body.length)
		};
		if (start > 0)
			headersOut['Content-Range'] = `bytes ${start}-${bytes.length - 1}/${bytes.length}`;
		return new Response(method === 'HEAD' ? null : stream, {
			status: start > 0 ? 206 : 200,
			headers: headersOut
		});
	};
	return { state, fetch };
}

const tokens = {
	get: async () => ({ ok: true as const, token: 't' }),
	fresh: async () => ({ ok: true as const, token: 't' })
};

function store(shelf: Shelf, relay: ReturnType<typeof fakeRelay>, online = () => true) {
	return createBasemapStore({
		communityId: 'demo',
		tokens,
		shelf,
		fetch: relay.fetch,
		isOnline: online,
		now: () => 1_700_000_000_000
	});
}

/** Whether a stored Blob holds exactly these bytes (a plain compare: deep equality is slow on MBs). */
const holds = async (blob: Blob | null, bytes: Uint8Array) =>
	blob !== null && Buffer.from(await blob.arrayBuffer()).equals(bytes);

describe('basemap store', () => {
	it('resumes an interrupted download from what is stored, with Range and If-Range', async () => {
		const bytes = archive(3 * FLUSH_BYTES + 12_345, 1);
		const relay = fakeRelay(bytes);
		const shelf = memoryShelf();
		const basemaps = store(shelf, relay);
		const seen: Progress[] = [];
		relay.state.breakAfter = FLUSH_BYTES + 100_000;
		const first = await basemaps.download((p) => seen.push(p));
		expect(first).toEqual({
			ok: false,
			reason: 'interrupted',
			progress: { done: FLUSH_BYTES + 100_000, total: bytes.length }
		});
		expect(seen[0]).toEqual({ done: 0, total: bytes.length });
		expect(await basemaps.file()).toBeNull();
		expect(await basemaps.stored()).toBeNull();
		expect(await basemaps.partial()).toEqual({ done: FLUSH_BYTES + 100_000, total: bytes.length });

		const second = await basemaps.download((p) => seen.push(p));
		expect(second).toMatchObject({ ok: true, fresh: true, stored: { size: bytes.length } });
		const resumed = relay.state.calls.at(-1)!;
		expect(resumed.headers.Range).toBe(`bytes=${FLUSH_BYTES + 100_000}-`);
		expect(resumed.headers['If-Range']).toBe(etagOf(bytes));
		expect(seen.at(-1)).toEqual({ done: bytes.length, total: bytes.length });
		expect(await holds(await basemaps.file(), bytes)).toBe(true);
		expect(await basemaps.partial()).toBeNull();

		// Asked again: the relay says 304, nothing is downloaded.
		const again = await basemaps.download();
		expect(again).toMatchObject({ ok: true, fresh: false });
		expect(relay.state.calls.at(-1)!.headers['If-None-Match']).toBe(etagOf(bytes));
	});

	it('restarts when the archive changed under a partial download (If-Range)', async () => {
		const old = archive(2 * FLUSH_BYTES, 2);
		const relay = fakeRelay(old);
		const shelf = memoryShelf();
		const basemaps = store(shelf, relay);
		relay.state.breakAfter = FLUSH_BYTES + 5;
		expect(await basemaps.download()).toMatchObject({ ok: false, reason: 'interrupted' });
		const rebuilt = archive(2 * FLUSH_BYTES + 99, 3);
		relay.state.bytes = rebuilt;
		expect(await basemaps.download()).toMatchObject({ ok: true, fresh: true });
		expect(await holds(await basemaps.file(), rebuilt)).toBe(true);
		// Only the index and the new archive are left.
		expect(shelf.files.size).toBe(2);
	});

	it('keeps the old archive until a newer one is whole, then replaces it', async () => {
		const old = archive(FLUSH_BYTES / 2, 4);
		const relay = fakeRelay(old);
		const shelf = memoryShelf();
		const basemaps = store(shelf, relay);
		expect(await basemaps.download()).toMatchObject({ ok: true });
		const newer = archive(FLUSH_BYTES + 777, 5);
		relay.state.bytes = newer;
		expect(await basemaps.remote()).toEqual({
			ok: true,
			remote: { etag: etagOf(newer), size: newer.length }
		});
		expect((await basemaps.stored())!.etag).toBe(etagOf(old));
		relay.state.breakAfter = 1000;
		expect(await basemaps.download()).toMatchObject({ ok: false, reason: 'interrupted' });
		// Mid-way, the map still reads the old archive.
		expect(await holds(await basemaps.file(), old)).toBe(true);
		expect(await basemaps.download()).toMatchObject({ ok: true, fresh: true });
		expect(await holds(await basemaps.file(), newer)).toBe(true);
		expect((await basemaps.stored())!.etag).toBe(etagOf(newer));
		expect(shelf.files.size).toBe(2);
	});

	it('drops a download that does not match its ETag, and says why when it cannot start', async () => {
		const relay = fakeRelay(archive(5000, 6));
		relay.state.lieEtag = `"${'0'.repeat(64)}"`;
		const shelf = memoryShelf();
		expect(await store(shelf, relay).download()).toEqual({
			ok: false,
			reason: 'corrupt',
			progress: null
		});
		expect(await store(shelf, relay).file()).toBeNull();

		const none = fakeRelay(null);
		expect(await store(memoryShelf(), none).download()).toEqual({
			ok: false,
			reason: 'no_basemap',
			progress: null
		});
		expect(await store(memoryShelf(), none).remote()).toEqual({ ok: false, reason: 'no_basemap' });
		expect(await store(memoryShelf(), none, () => false).download()).toMatchObject({
			ok: false,
			reason: 'offline'
		});
		const full: Shelf = {
			...memoryShelf(),
			append: async () => {
				throw new DOMException('full', 'QuotaExceededError');
			}
		};
		expect(await store(full, fakeRelay(archive(FLUSH_BYTES + 1, 7))).download()).toMatchObject({
			ok: false,
			reason: 'storage_full'
		});
	});

	it('uses IndexedDB when OPFS is absent, and resumes there too', async () => {
		const factory = new IDBFactory();
		expect(defaultShelf({ indexedDB: factory })?.kind).toBe('indexeddb');
		expect(
			defaultShelf({ indexedDB: factory, storage: { getDirectory: async () => ({}) } })?.kind
		).toBe('indexeddb');
		expect(
			defaultShelf({
				indexedDB: factory,
				storage: { getDirectory: async () => ({}) },
				writableFiles: true
			})?.kind
		).toBe('opfs');
		expect(defaultShelf({})).toBeNull();
		const shelf = indexedDbShelf(factory);
		const bytes = archive(2 * FLUSH_BYTES + 3, 8);
		const relay = fakeRelay(bytes);
		const basemaps = store(shelf, relay);
		relay.state.breakAfter = FLUSH_BYTES + 10;
		expect(await basemaps.download()).toMatchObject({ ok: false, reason: 'interrupted' });
		expect(await basemaps.download()).toMatchObject({ ok: true });
		expect(await holds(await basemaps.file(), bytes)).toBe(true);
		expect((await factory.databases()).map((db) => db.name)).toEqual([BASEMAP_DB]);
	});

	it('hands the map a pmtiles Source over the stored Blob', async () => {
		// The smallest valid archive: a header and empty directories.
		const header = new Uint8Array(127);
		header.set([...'PMTiles'].map((c) => c.charCodeAt(0)));
		header[7] = 3;
		const view = new DataView(header.buffer);
		view.setBigUint64(8, 127n, true);
		view.setUint8(97, 1);
		view.setUint8(98, 1);
		view.setUint8(99, 1);
		view.setUint8(100, 12);
		view.setUint8(101, 18);
		const blob = new Blob([header, new Uint8Array([0])]);
		view.setBigUint64(16, 1n, true);
		const source = blobSource(new Blob([header, new Uint8Array([0])]), 'demo');
		expect(source.getKey()).toBe('demo');
		const head = await new PMTiles(source).getHeader();
		expect([head.specVersion, head.minZoom, head.maxZoom]).toEqual([3, 12, 18]);
		const slice = await blobSource(blob, 'x').getBytes(1, 6);
		expect(new TextDecoder().decode(slice.data)).toBe('MTiles');
	});
});
