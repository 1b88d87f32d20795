/**
 * The relay in cluster mode (REDIS_URL and DATABASE_URL; cluster-rooms.ts) on a real Redis (AOF,
 * `appendfsync always`) and a real PostgreSQL, with stock y-websocket clients: three relays
 * serving one document converge, and an edit confirmed by a relay survives its `kill -9`.
 */
import net from 'node:net';
import { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import * as Y from 'yjs';
import { encodeSyncStep1, encodeSyncUpdate } from '../protocol.ts';
import {
	connectClient,
	connectSynced,
	RawClient,
	rawHttpStatus,
	killHard,
	makeTempDir,
	removeDir,
	spawnRelay,
	startTestRelay,
	trackPersisted,
	waitFor,
	type TestClient,
	type TestRelay
} from '../test-helpers.ts';
import { KeyRing } from '../tokens.ts';
import { clusterFixture } from './cluster-fixture.ts';

const fx = clusterFixture();

it('clients on three relays editing one document converge, each confirmed by its relay', async () => {
	const doc = 'c/demo/households/g01';
	const relays = await fx.three();
	const clients = await Promise.all(relays.map((r) => connectSynced(r.wsUrl, doc)));
	for (const client of clients) fx.defer(() => client.destroy());
	const trackers = clients.map((client) => trackPersisted(client.provider));
	clients.forEach((client, i) => {
		client.doc.getArray<string>('edits').push([`from-${i}`]);
		client.doc.getMap('fields').set(`f${i}`, i);
	});
	const sorted = (i: number): string[] =>
		[...clients[i]!.doc.getArray<string>('edits').toArray()].sort();
	await waitFor(
		() => clients.every((_, i) => sorted(i).length === 3),
		10_000,
		'every client has every edit'
	);
	for (let i = 0; i < 3; i++) {
		expect(sorted(i)).toEqual(['from-0', 'from-1', 'from-2']);
		expect(clients[i]!.doc.getMap('fields').toJSON()).toEqual({ f0: 0, f1: 1, f2: 2 });
	}
	await waitFor(
		() => clients.every((client, i) => trackers[i]!.covers(client.doc)),
		10_000,
		'every edit confirmed'
	);
	// A client arriving later on any relay loads everything from the cluster's storage.
	const late = await connectSynced(relays[1]!.wsUrl, doc);
	fx.defer(() => late.destroy());
	expect([...late.doc.getArray<string>('edits').toArray()].sort()).toEqual(sorted(0));
	for (const r of relays) expect(r.relay.stats().storageBroken).toBe(false);
});

it('an edit confirmed by a relay survives kill -9 of that relay: present on another relay', async () => {
	const doc = 'c/demo/households/g02';
	const dataDir = fx.dataDir();
	const child = await spawnRelay({
		DATA_DIR: dataDir,
		STATIC_DIR: `${dataDir}/no-build`,
		REDIS_URL: fx.redis.url,
		DATABASE_URL: fx.databaseUrl
	});
	fx.defer(() => killHard(child.child));
	const other = await fx.relay();
	// A client on the other relay holds the document open while the first relay dies.
	const watcher = await connectSynced(other.wsUrl, doc);
	fx.defer(() => watcher.destroy());

	const writer = await connectSynced(child.wsUrl, doc);
	fx.defer(() => writer.destroy());
	const persisted = trackPersisted(writer.provider);
	writer.doc.getArray<string>('edits').push(['confirmed-on-a']);
	await waitFor(() => persisted.covers(writer.doc), 10_000, 'confirmation from relay A');
	await killHard(child.child);

	// The writer comes back on a relay started after the kill: the edit is in storage.
	const third = await fx.relay();
	const fresh = connectClient(third.wsUrl, doc);
	fx.defer(() => fresh.destroy());
	await waitFor(() => fresh.provider.synced, 10_000, 'synced on relay C');
	expect(fresh.doc.getArray<string>('edits').toArray()).toEqual(['confirmed-on-a']);
	await waitFor(
		() => watcher.doc.getArray<string>('edits').length === 1,
		10_000,
		'the watcher on relay B saw the edit'
	);
});

/** `/health`'s status and `ok`. */
async function health(r: TestRelay): Promise<{ status: number; ok: boolean }> {
	const { status, ok } = await healthWithStorage(r);
	return { status, ok };
}

/** `/health`'s status, `ok` and what it says of each store. */
async function healthWithStorage(
	r: TestRelay
): Promise<{ status: number; ok: boolean; storage: unknown }> {
	const response = await fetch(`${r.relay.url}/health`);
	const body = (await response.json()) as { ok: boolean; storage: unknown };
	return { status: response.status, ok: body.ok, storage: body.storage };
}

/** Asks `/health` until it answers `expected` (status, ok, storage); fails after `timeoutMs`. */
async function healthBecomes(
	r: TestRelay,
	expected: Awaited<ReturnType<typeof healthWithStorage>>,
	timeoutMs: number
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	let last = await healthWithStorage(r);
	while (JSON.stringify(last) !== JSON.stringify(expected) && Date.now() < deadline) {
		await new Promise((resolve) => setTimeout(resolve, 20));
		last = await healthWithStorage(r);
	}
	expect(last).toEqual(expected);
}

it('while Redis is down nothing is confirmed and /health says so; afterwards the edit is confirmed and stored', async () => {
	const doc = 'c/demo/households/g03';
	const r = await fx.relay();
	const client = await connectSynced(r.wsUrl, doc);
	fx.defer(() => client.destroy());
	const persisted = trackPersisted(client.provider);
	const edits = client.doc.getArray<string>('edits');
	edits.push(['before']);
	await waitFor(() => persisted.covers(client.doc), 10_000, 'confirmation before the crash');
	expect(await health(r)).toEqual({ status: 200, ok: true });

	await fx.redis.stop({ crash: true });
	edits.push(['while-down']);
	let down = false;
	const deadline = Date.now() + 10_000;
	while (!down && Date.now() < deadline) down = (await health(r)).status === 503;
	expect(down).toBe(true);
	expect((await health(r)).ok).toBe(false);
	expect(persisted.covers(client.doc)).toBe(false);
	expect(r.relay.stats().storageBroken).toBe(true);

	await fx.redis.start();
	// The client was closed with 4500; it reconnects and resends what was not confirmed.
	await waitFor(() => persisted.covers(client.doc), 20_000, 'confirmation after Redis is back');
	expect(await health(r)).toEqual({ status: 200, ok: true });
	const other = await fx.relay();
	const fresh = await connectSynced(other.wsUrl, doc);
	fx.defer(() => fresh.destroy());
	expect(fresh.doc.getArray<string>('edits').toArray()).toEqual(['before', 'while-down']);
});

it('every relay signs and checks tokens with the keys shared in PostgreSQL', async () => {
	const doc = 'c/demo/households/g04';
	const first = await fx.relay();
	// A relay whose DATA_DIR has keys of its own: it takes the cluster's at start.
	const dataDir = makeTempDir();
	fx.defer(() => removeDir(dataDir));
	const own = new KeyRing(dataDir).current.kid;
	const second = await startTestRelay({
		dataDir,
		redisUrl: fx.redis.url,
		databaseUrl: fx.databaseUrl
	});
	fx.defer(() => second.relay.close());
	expect(new KeyRing(dataDir).current.kid).not.toBe(own);
	// A token from one relay opens the document on the other, both ways.
	const onSecond = await connectSynced(second.wsUrl, doc, first.token);
	fx.defer(() => onSecond.destroy());
	const onFirst = await connectSynced(first.wsUrl, doc, second.token);
	fx.defer(() => onFirst.destroy());
	onSecond.doc.getArray<string>('edits').push(['x']);
	await waitFor(() => onFirst.doc.getArray<string>('edits').length === 1, 10_000, 'the edit');
});

it('presence crosses relays: a newcomer on another relay sees it at once, and its removal', async () => {
	const doc = 'c/demo/households/g05';
	const [a, b] = await Promise.all([fx.relay(), fx.relay()]);
	const onA = await connectSynced(a.wsUrl, doc);
	fx.defer(() => onA.destroy());
	onA.provider.awareness.setLocalStateField('user', { name: '李书记' });
	const id = onA.doc.clientID;
	await waitFor(() => a.relay.docStats(doc)?.awarenessStates === 1, 5000, 'state on relay A');
	// Loaded on B after A's state was sent: B asks A's relay for it (no renewal within 15 s).
	const onB = await connectSynced(b.wsUrl, doc);
	fx.defer(() => onB.destroy());
	const seenOnB = (): unknown => onB.provider.awareness.getStates().get(id);
	await waitFor(() => seenOnB() !== undefined, 5000, "A's presence on B");
	expect(seenOnB()).toEqual({ user: { name: '李书记' } });
	// A change, then the departure, reach B.
	onA.provider.awareness.setLocalStateField('user', { name: '王网格员' });
	await waitFor(
		() => (seenOnB() as { user?: { name?: string } } | undefined)?.user?.name === '王网格员',
		5000,
		'the change on B'
	);
	onA.destroy();
	await waitFor(() => seenOnB() === undefined, 5000, "A's presence gone on B");
	// Relay B keeps no state of A's client (B's own client never set one: clock 0 is not sent).
	expect(b.relay.docStats(doc)?.awarenessStates).toBe(0);
});

it('each relay runs the compaction worker: the stream is folded into PostgreSQL, a new relay loads it from there', async () => {
	const doc = 'c/demo/households/g06';
	const events: Record<string, unknown>[] = [];
	const r = await fx.relay({
		clusterCompactMs: 20,
		clusterCompactMinLifetimeMs: 0,
		idleUnloadMs: 0,
		log: (event) => events.push(event)
	});
	const client = await connectSynced(r.wsUrl, doc);
	const persisted = trackPersisted(client.provider);
	client.doc.getArray<string>('edits').push(['folded']);
	await waitFor(() => persisted.covers(client.doc), 10_000, 'confirmation');
	const key = `gridboard:doc:${doc}`;
	const probe = new Redis(fx.redis.url);
	fx.defer(() => probe.disconnect());
	// Folded and trimmed: nothing left in the document's stream.
	const deadline = Date.now() + 10_000;
	while ((await probe.xlen(key)) > 0 && Date.now() < deadline);
	expect(await probe.xlen(key)).toBe(0);
	// The round (over every document with a stream) reports once it has gone through them all.
	await waitFor(
		() => events.some((event) => event.event === 'cluster-compacted'),
		10_000,
		'the round reported'
	);
	client.destroy();
	await waitFor(() => r.relay.stats().docsLoaded === 0, 5000, 'the idle room unloaded');
	const other = await fx.relay({ clusterCompactMs: 0 });
	const fresh = await connectSynced(other.wsUrl, doc);
	fx.defer(() => fresh.destroy());
	expect(fresh.doc.getArray<string>('edits').toArray()).toEqual(['folded']);
	expect(events.filter((event) => event.event === 'storage-error')).toEqual([]);
});

it('the compaction worker waits while Redis is away instead of failing round after round, then folds again', async () => {
	const doc = 'c/demo/households/g19';
	const events: Record<string, unknown>[] = [];
	const r = await fx.relay({
		clusterCompactMs: 20,
		clusterCompactMinLifetimeMs: 0,
		// A round caught by the crash fails after this (commands in flight are not resent).
		clusterRedisTimeoutMs: 500,
		log: (event) => events.push(event)
	});
	const client = await connectSynced(r.wsUrl, doc);
	fx.defer(() => client.destroy());
	const persisted = trackPersisted(client.provider);
	const compactErrors = () => events.filter((event) => event.op === 'compact').length;
	await fx.redis.stop({ crash: true });
	let errorsWhileWaiting: number;
	try {
		await waitFor(
			() => events.some((event) => event.event === 'cluster-compact-waiting'),
			10_000,
			'the worker waiting'
		);
		// A round the crash caught may have failed before; the ticks after it only wait.
		const before = compactErrors();
		const skipped = r.relay.cluster!.compactSkipped;
		await waitFor(() => r.relay.cluster!.compactSkipped >= skipped + 5, 10_000, 'five ticks');
		errorsWhileWaiting = compactErrors() - before;
	} finally {
		await fx.redis.start();
	}
	expect(errorsWhileWaiting).toBe(0);
	client.doc.getArray<string>('edits').push(['after']);
	await waitFor(() => persisted.covers(client.doc), 20_000, 'confirmation after Redis is back');
	const folded = events.length;
	await waitFor(
		() => events.slice(folded).some((event) => event.event === 'cluster-compacted'),
		10_000,
		'a round folded after Redis came back'
	);
});

it('a room unloaded when idle and loaded again follows the other relays again', async () => {
	const doc = 'c/demo/households/g07';
	const [a, b] = await Promise.all([fx.relay({ idleUnloadMs: 0 }), fx.relay()]);
	const first = await connectSynced(a.wsUrl, doc);
	first.destroy();
	await waitFor(() => a.relay.stats().docsLoaded === 0, 5000, 'unloaded on A');
	const onB = await connectSynced(b.wsUrl, doc);
	fx.defer(() => onB.destroy());
	onB.doc.getArray<string>('edits').push(['while-unloaded']);
	const again = await connectSynced(a.wsUrl, doc);
	fx.defer(() => again.destroy());
	await waitFor(() => again.doc.getArray('edits').length === 1, 5000, 'loaded with the edit');
	onB.doc.getArray<string>('edits').push(['after-reload']);
	await waitFor(() => again.doc.getArray('edits').length === 2, 5000, 'followed after reload');
	expect(again.doc.getArray<string>('edits').toArray()).toEqual(['while-unloaded', 'after-reload']);
});

it('while PostgreSQL is down, /health says so, loaded documents are still confirmed and new ones wait for it', async () => {
	const loadedDoc = 'c/demo/households/g08';
	const newDoc = 'c/demo/households/g09';
	const r = await fx.relay({ clusterPostgresCheckMs: 100 });
	const client = await connectSynced(r.wsUrl, loadedDoc);
	fx.defer(() => client.destroy());
	const persisted = trackPersisted(client.provider);
	const up = { redis: 'up', postgres: 'up' };
	expect(await healthWithStorage(r)).toEqual({ status: 200, ok: true, storage: up });

	await fx.postgres.stop({ crash: true });
	// Said within a few checks, naming the store that is down.
	const pgDown = { redis: 'up', postgres: 'down' };
	await healthBecomes(r, { status: 503, ok: false, storage: pgDown }, 5000);
	// Confirmation is Redis's (the stream is the durable log): it goes on.
	client.doc.getArray<string>('edits').push(['pg-down']);
	await waitFor(() => persisted.covers(client.doc), 10_000, 'confirmed while PostgreSQL is down');
	expect(r.relay.stats().storageBroken).toBe(false);
	// Loading needs PostgreSQL: the newcomer is closed with 4500 and keeps retrying.
	const waiting = connectClient(r.wsUrl, newDoc);
	fx.defer(() => waiting.destroy());
	const codes: number[] = [];
	waiting.provider.on('connection-close', (event: CloseEvent | null) => {
		if (event) codes.push(event.code);
	});
	await waitFor(() => codes.includes(4500), 15_000, 'the load refused');
	expect(waiting.provider.synced).toBe(false);

	await fx.postgres.start();
	await healthBecomes(r, { status: 200, ok: true, storage: up }, 5000);
	await waitFor(() => waiting.provider.synced, 20_000, 'loaded once PostgreSQL is back');
	const other = await fx.relay();
	const fresh = await connectSynced(other.wsUrl, loadedDoc);
	fx.defer(() => fresh.destroy());
	expect(fresh.doc.getArray<string>('edits').toArray()).toEqual(['pg-down']);
});

it('every relay of the cluster keeps the relay protocol: names, tokens, bad frames, read-only writes', async () => {
	const doc = 'c/demo/board/g10';
	const relays = await fx.three();
	const writer = await connectSynced(relays[0]!.wsUrl, doc);
	fx.defer(() => writer.destroy());
	writer.doc.getText('t').insert(0, 'board');
	const raw = (url: string, token: string | null): RawClient => {
		const client = new RawClient(url, token);
		fx.defer(() => client.ws.terminate());
		return client;
	};
	for (const [i, r] of relays.entries()) {
		const token = r.relay.mintToken({ communityId: 'demo', role: 'secretary' });
		// Bad names: 400 before anything is loaded.
		for (const path of ['c/demo/../other/tasks', 'c%2fdemo%2ftasks', 'c/demo/households/g1%00']) {
			const status = await rawHttpStatus(r.relay.port, `/sync/${path}?token=${token}`, true);
			expect([i, path, status]).toEqual([i, path, 400]);
		}
		// Tokens: garbage and a forged signature close with 4401.
		for (const bad of [
			'not.a.token',
			token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA')
		]) {
			expect([i, await raw(`${r.wsUrl}/${doc}`, bad).closed()]).toEqual([i, 4401]);
		}
		// A malformed frame sent at once (while the room may still be loading) closes with 4400,
		// and so does a text frame.
		const malformed = raw(`${r.wsUrl}/${doc}`, token);
		await malformed.opened();
		malformed.send([0xff, 0xff, 0xff]);
		expect([i, await malformed.closed()]).toEqual([i, 4400]);
		const text = raw(`${r.wsUrl}/${doc}`, token);
		await text.opened();
		text.ws.send('hello');
		expect([i, await text.closed()]).toEqual([i, 4400]);
		// An observer's write is dropped and answered with [101, count]; nobody sees it.
		const observer = raw(
			`${r.wsUrl}/${doc}`,
			r.relay.mintToken({ communityId: 'demo', role: 'observer' })
		);
		await observer.opened();
		const evil = new Y.Doc();
		evil.getText('t').insert(0, 'evil');
		observer.send(encodeSyncUpdate(Y.encodeStateAsUpdate(evil)));
		await waitFor(() => observer.ofType(101).length === 1, 5000, `[101] from relay ${i}`);
	}
	// The document holds only the writer's edit, on every relay.
	for (const r of relays) {
		const reader = await connectSynced(r.wsUrl, doc);
		fx.defer(() => reader.destroy());
		expect(reader.doc.getText('t').toString()).toBe('board');
	}
	expect(writer.doc.getText('t').toString()).toBe('board');
});

it('kill -9 of a relay while its clients write: they go on on another relay, no confirmed edit lost', async () => {
	const doc = 'c/demo/households/g11';
	const dataDir = fx.dataDir();
	const child = await spawnRelay({
		DATA_DIR: dataDir,
		STATIC_DIR: `${dataDir}/no-build`,
		REDIS_URL: fx.redis.url,
		DATABASE_URL: fx.databaseUrl
	});
	fx.defer(() => killHard(child.child));
	const other = await fx.relay();
	const writers = await Promise.all([0, 1, 2].map(() => connectSynced(child.wsUrl, doc)));
	const trackers = writers.map((writer) => trackPersisted(writer.provider));
	let written = 0;
	const write = (): void => {
		for (const [i, writer] of writers.entries())
			writer.doc.getArray('edits').push([`${i}-${written}`]);
		written++;
	};
	// Writing while the relay dies: some edits confirmed, the last ones perhaps not.
	while (trackers.some((tracker) => tracker.received.length < 3)) {
		write();
		// Paced under the relay's message rate limit (200 a second per connection).
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
	write();
	await killHard(child.child);
	const confirmed = trackers.map((tracker, i) => {
		const clock = Math.max(...tracker.received.map((sv) => sv.get(writers[i]!.doc.clientID) ?? 0));
		return { id: writers[i]!.doc.clientID, clock };
	});
	// Each writer goes on, with the same document, through the other relay.
	const moved = writers.map((writer) => {
		writer.provider.destroy();
		const next = connectClient(other.wsUrl, doc, writer.doc);
		fx.defer(() => next.destroy());
		return next;
	});
	await waitFor(() => moved.every((client) => client.provider.synced), 10_000, 'reconnected');
	write();
	await waitFor(
		() => moved.every((client) => client.doc.getArray('edits').length === 3 * written),
		10_000,
		'every edit everywhere'
	);
	// A relay started now loads every confirmed edit from storage (and everything else too).
	const third = await fx.relay();
	const fresh = await connectSynced(third.wsUrl, doc);
	fx.defer(() => fresh.destroy());
	const stored = Y.decodeStateVector(Y.encodeStateVector(fresh.doc));
	for (const { id, clock } of confirmed) expect(stored.get(id) ?? 0).toBeGreaterThanOrEqual(clock);
	await waitFor(() => fresh.doc.getArray('edits').length === 3 * written, 10_000, 'all stored');
});

it('frames sent while the room loads are handled in order once it is loaded; too many close with 4429', async () => {
	const r = await fx.relay();
	const probe = new Redis(fx.redis.url);
	fx.defer(() => probe.disconnect());
	const emptyVector = Y.encodeStateVector(new Y.Doc());
	// Redis holds every command for a while: the loads below wait for it.
	await probe.client('PAUSE', 3000, 'ALL');
	const patient = new RawClient(`${r.wsUrl}/c/demo/households/g12`, r.token);
	fx.defer(() => patient.ws.terminate());
	const greedy = new RawClient(`${r.wsUrl}/c/demo/households/g13`, r.token);
	fx.defer(() => greedy.ws.terminate());
	await Promise.all([patient.opened(), greedy.opened()]);
	patient.send(encodeSyncStep1(emptyVector));
	patient.send([3]); // query awareness
	for (let i = 0; i < 100; i++) greedy.send([3]);
	expect(await greedy.closed(10_000)).toBe(4429);
	expect(r.relay.stats().docsLoaded).toBe(0);
	// Loaded once Redis answers: the sync step 1 is answered (step 2) before the awareness.
	await waitFor(() => patient.frames.length >= 3, 10_000, 'answers after the load');
	const types = patient.frames.map((frame) => [frame[0], frame[1]]);
	expect(types.findIndex(([type, sub]) => type === 0 && sub === 1)).toBeLessThan(
		types.findIndex(([type]) => type === 1)
	);
	expect(patient.closeCode).toBe(null);
});

it('closing a relay appends and confirms what is queued before its sockets close', async () => {
	const doc = 'c/demo/households/g14';
	// A commit interval of a minute: the second edit waits in the queue until the close.
	const r = await fx.relay({ commitIntervalMs: 60_000 });
	const client = await connectSynced(r.wsUrl, doc);
	fx.defer(() => client.destroy());
	const persisted = trackPersisted(client.provider);
	client.doc.getArray<string>('edits').push(['first']);
	await waitFor(() => persisted.covers(client.doc), 10_000, 'the first edit confirmed');
	client.doc.getArray<string>('edits').push(['queued']);
	await waitFor(() => r.relay.stats().pendingUpdates > 0, 5000, 'the second edit queued');
	expect(persisted.covers(client.doc)).toBe(false);
	const closed = new Promise<void>((resolve) =>
		client.provider.once('connection-close', () => resolve())
	);
	await r.relay.close();
	await closed;
	expect(persisted.covers(client.doc)).toBe(true);
	client.provider.disconnect();
	const other = await fx.relay();
	const fresh = await connectSynced(other.wsUrl, doc);
	fx.defer(() => fresh.destroy());
	expect(fresh.doc.getArray<string>('edits').toArray()).toEqual(['first', 'queued']);
});

/**
 * A TCP proxy to Redis that can cut one relay off: `cut` drops every connection and refuses new
 * ones (the relay sees resets); `blackhole` keeps the connections but forwards nothing (a silent
 * partition); `restore` ends either (a blackhole's connections are dropped then).
 */
async function redisProxy(): Promise<{
	url: string;
	cut(): void;
	blackhole(): void;
	restore(): void;
}> {
	const sockets = new Set<net.Socket>();
	let mode: 'open' | 'cut' | 'blackhole' = 'open';
	const server = net.createServer((client) => {
		if (mode === 'cut') {
			client.destroy();
			return;
		}
		const upstream = net.connect(fx.redis.port, '127.0.0.1');
		const forward = (from: net.Socket, to: net.Socket): void => {
			from.on('data', (chunk) => {
				if (mode === 'open') to.write(chunk);
			});
		};
		forward(client, upstream);
		forward(upstream, client);
		for (const socket of [client, upstream]) {
			sockets.add(socket);
			socket.on('error', () => {});
			socket.on('close', () => {
				sockets.delete(socket);
				client.destroy();
				upstream.destroy();
			});
		}
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	fx.defer(
		() =>
			new Promise<void>((resolve) => {
				for (const socket of sockets) socket.destroy();
				server.close(() => resolve());
			})
	);
	const { port } = server.address() as net.AddressInfo;
	return {
		url: `redis://127.0.0.1:${port}`,
		cut() {
			mode = 'cut';
			for (const socket of sockets) socket.destroy();
		},
		blackhole() {
			mode = 'blackhole';
		},
		restore() {
			if (mode === 'blackhole') for (const socket of sockets) socket.destroy();
			mode = 'open';
		}
	};
}

it('a relay cut off from Redis stops confirming while the others go on; back, it confirms again', async () => {
	const doc = 'c/demo/households/g15';
	const proxy = await redisProxy();
	const a = await fx.relay({ redisUrl: proxy.url });
	const b = await fx.relay();
	const onA = await connectSynced(a.wsUrl, doc);
	fx.defer(() => onA.destroy());
	const onB = await connectSynced(b.wsUrl, doc);
	fx.defer(() => onB.destroy());
	const confirmedA = trackPersisted(onA.provider);
	const confirmedB = trackPersisted(onB.provider);

	proxy.cut();
	await waitFor(() => a.relay.stats().storageBroken, 5000, 'relay A sees Redis gone');
	onA.doc.getArray<string>('edits').push(['on-a']);
	onB.doc.getArray<string>('edits').push(['on-b']);
	await waitFor(() => confirmedB.covers(onB.doc), 10_000, 'relay B confirms');
	expect(b.relay.stats().storageBroken).toBe(false);
	expect(confirmedA.covers(onA.doc)).toBe(false);

	proxy.restore();
	// A's client was closed with 4500; it reconnects and resends, and everything converges.
	await waitFor(() => confirmedA.covers(onA.doc), 20_000, 'relay A confirms again');
	const sorted = (client: TestClient): string[] =>
		[...client.doc.getArray<string>('edits').toArray()].sort();
	await waitFor(
		() => sorted(onA).length === 2 && sorted(onB).length === 2,
		10_000,
		'both edits on both relays'
	);
	expect(sorted(onA)).toEqual(['on-a', 'on-b']);
	expect(a.relay.stats().storageBroken).toBe(false);
}, 60_000);

it('a relay cut off while the worker trimmed what it had not read reloads the document', async () => {
	const doc = 'c/demo/households/g16';
	const proxy = await redisProxy();
	const logA: Record<string, unknown>[] = [];
	const a = await fx.relay({
		redisUrl: proxy.url,
		clusterCompactMs: 0,
		log: (e) => logA.push(e)
	});
	const b = await fx.relay({ clusterCompactMs: 20, clusterCompactMinLifetimeMs: 0 });
	const onA = await connectSynced(a.wsUrl, doc);
	fx.defer(() => onA.destroy());
	const onB = await connectSynced(b.wsUrl, doc);
	fx.defer(() => onB.destroy());
	const confirmedB = trackPersisted(onB.provider);

	// A's room stays loaded (its client writes nothing) while its tail cannot read.
	proxy.cut();
	await waitFor(() => a.relay.stats().storageBroken, 5000, 'relay A sees Redis gone');
	onB.doc.getArray<string>('edits').push(['missed-by-a']);
	await waitFor(() => confirmedB.covers(onB.doc), 10_000, 'relay B confirms');
	const probe = new Redis(fx.redis.url);
	fx.defer(() => probe.disconnect());
	const deadline = Date.now() + 10_000;
	while ((await probe.xlen(`gridboard:doc:${doc}`)) > 0 && Date.now() < deadline);
	expect(await probe.xlen(`gridboard:doc:${doc}`)).toBe(0);

	proxy.restore();
	// The tail finds the trim past what it delivered and the relay reloads the document.
	await waitFor(
		() => onA.doc.getArray('edits').length === 1,
		20_000,
		'the edit reaches A by the reload'
	);
	expect(a.relay.stats().docsLoaded).toBe(1);
	expect(logA.filter((event) => event.event === 'cluster-reload')).toHaveLength(1);
	// And follows on from there.
	onB.doc.getArray<string>('edits').push(['after']);
	await waitFor(() => onA.doc.getArray('edits').length === 2, 10_000, 'followed after the reload');
});

it('back in time in cluster mode: history and hours come from what the worker folded', async () => {
	const doc = 'c/demo/households/g17';
	const r = await fx.relay({ clusterCompactMs: 20, clusterCompactMinLifetimeMs: 0 });
	const client = await connectSynced(r.wsUrl, doc);
	fx.defer(() => client.destroy());
	const persisted = trackPersisted(client.provider);
	client.doc.getMap('cases').set('c1', 'open');
	await waitFor(() => persisted.covers(client.doc), 10_000, 'confirmation');
	const probe = new Redis(fx.redis.url);
	fx.defer(() => probe.disconnect());
	const deadline = Date.now() + 10_000;
	while ((await probe.xlen(`gridboard:doc:${doc}`)) > 0 && Date.now() < deadline);
	const get = (query: string): Promise<Response> =>
		fetch(`${r.relay.url}/api/communities/demo/history/households/g17?${query}`, {
			headers: { Authorization: `Bearer ${r.token}` }
		});
	const hours = await get('hours');
	expect(hours.status).toBe(200);
	expect(((await hours.json()) as { hours: number[] }).hours).toHaveLength(1);
	const past = await get(`at=${Date.now() + 2 * 3600_000}`);
	expect(past.status).toBe(200);
	const restored = new Y.Doc();
	Y.applyUpdate(restored, new Uint8Array(await past.arrayBuffer()));
	expect(restored.getMap('cases').get('c1')).toBe('open');
});

it('a relay behind a silent partition from Redis stops confirming and says so; healed, it confirms again', async () => {
	const doc = 'c/demo/households/g18';
	const proxy = await redisProxy();
	const a = await fx.relay({ redisUrl: proxy.url, clusterRedisTimeoutMs: 500 });
	const client = await connectSynced(a.wsUrl, doc);
	fx.defer(() => client.destroy());
	const persisted = trackPersisted(client.provider);
	client.doc.getArray<string>('edits').push(['before']);
	await waitFor(() => persisted.covers(client.doc), 10_000, 'confirmed before');

	// Nothing reaches Redis and nothing comes back, yet no socket closes.
	proxy.blackhole();
	client.doc.getArray<string>('edits').push(['unanswered']);
	await waitFor(() => a.relay.stats().storageBroken, 10_000, 'relay A says storage is down');
	expect(persisted.covers(client.doc)).toBe(false);
	expect((await health(a)).status).toBe(503);

	proxy.restore();
	await waitFor(() => persisted.covers(client.doc), 20_000, 'confirmed once healed');
	await waitFor(() => !a.relay.stats().storageBroken, 10_000, 'storage up again');
	const other = await fx.relay();
	const fresh = await connectSynced(other.wsUrl, doc);
	fx.defer(() => fresh.destroy());
	expect(fresh.doc.getArray<string>('edits').toArray()).toEqual(['before', 'unanswered']);
}, 60_000);
