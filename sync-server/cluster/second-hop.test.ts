/**
 * The fast path of the second hop (cluster-rooms.ts): an update reaches the peers of another
 * relay before its append is durable, yet no confirmation covers anything not durable, and an
 * edit that builds on such an early update is stored. Relay A reaches Redis through a proxy
 * that can hold back its appends (everything from its next MULTI on), so "not durable yet" is a
 * state the test controls rather than a race.
 */
import net from 'node:net';
import { expect, it } from 'vitest';
import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { ATTESTATION_ROOT } from '../../src/lib/wire/index.ts';
import {
	connectClient,
	connectSynced,
	killHard,
	spawnRelay,
	trackPersisted,
	waitFor,
	type TestClient,
	type TestRelay
} from '../test-helpers.ts';
import {
	BOARD,
	createSharedMembers,
	type Members,
	entry,
	probeClient,
	timelineOf,
	writeCase
} from '../write-rules-fixture.ts';
import { clusterFixture } from './cluster-fixture.ts';

const fx = clusterFixture();

/** Community `demo`'s members, made once per file (its database) through the first relay asking. */
let demo: Promise<Members> | null = null;
const demoMembers = (r: TestRelay): Promise<Members> => (demo ??= createSharedMembers(r));

/** RESP of MULTI (ioredis writes command names in lower case): where an append starts. */
const MULTI = ['multi', 'MULTI'].map((name) => Buffer.from(`*1\r\n$5\r\n${name}\r\n`));

/** Where the first MULTI in `chunk` starts, or -1. */
function multiAt(chunk: Buffer): number {
	const found = MULTI.map((m) => chunk.indexOf(m)).filter((at) => at >= 0);
	return found.length > 0 ? Math.min(...found) : -1;
}

/**
 * A TCP proxy to the test Redis. While `hold` is on, a connection's bytes from its next MULTI
 * on are kept back (in order) until `release`; a connection whose client goes away (its relay
 * killed) drops what it kept, so Redis never sees that append. Everything after that MULTI on
 * the connection waits too (the relay's later publications included): tests hold only once
 * their earlier appends were confirmed.
 */
async function holdingProxy(): Promise<{ url: string; hold(): void; release(): void }> {
	const target = Number(new URL(fx.redis.url).port);
	let holding = false;
	const held = new Map<net.Socket, Buffer[]>();
	const upstreams = new Map<net.Socket, net.Socket>();
	const server = net.createServer((client) => {
		const upstream = net.connect(target, '127.0.0.1');
		upstreams.set(client, upstream);
		upstream.on('data', (chunk) => client.write(chunk));
		client.on('data', (chunk: Buffer) => {
			const kept = held.get(client);
			if (kept) return void kept.push(chunk);
			const at = holding ? multiAt(chunk) : -1;
			if (at < 0) return void upstream.write(chunk);
			upstream.write(chunk.subarray(0, at));
			held.set(client, [chunk.subarray(at)]);
		});
		const end = (): void => {
			held.delete(client);
			upstreams.delete(client);
			client.destroy();
			upstream.destroy();
		};
		client.on('close', end).on('error', end);
		upstream.on('close', end).on('error', end);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as net.AddressInfo;
	const release = (): void => {
		holding = false;
		for (const [client, chunks] of held) upstreams.get(client)?.write(Buffer.concat(chunks));
		held.clear();
	};
	fx.defer(() => {
		release();
		for (const upstream of upstreams.values()) upstream.destroy();
		server.close();
	});
	return {
		url: `redis://127.0.0.1:${port}`,
		hold: () => (holding = true),
		release
	};
}

/**
 * A writer on relay A, whose Redis traffic goes through a holding proxy, and a reader on relay
 * B, both synced on `doc`; destroyed after the test.
 */
async function writerAndReader(doc: string): Promise<{
	proxy: Awaited<ReturnType<typeof holdingProxy>>;
	writer: TestClient;
	reader: TestClient;
	b: TestRelay;
}> {
	const proxy = await holdingProxy();
	const [a, b] = await Promise.all([fx.relay({ redisUrl: proxy.url }), fx.relay()]);
	const writer = await connectSynced(a.wsUrl, doc);
	fx.defer(() => writer.destroy());
	const reader = await connectSynced(b.wsUrl, doc);
	fx.defer(() => reader.destroy());
	return { proxy, writer, reader, b };
}

it("a client on relay B gets relay A's update while A's append is held back", async () => {
	const doc = 'c/demo/households/h01';
	const { proxy, writer, reader } = await writerAndReader(doc);
	const persisted = trackPersisted(writer.provider);

	proxy.hold();
	writer.doc.getArray<string>('edits').push(['early']);
	await waitFor(
		() => reader.doc.getArray<string>('edits').length === 1,
		10_000,
		'the reader on B got the update'
	);
	expect(reader.doc.getArray<string>('edits').toArray()).toEqual(['early']);
	// Still not durable: A's append is held, so A has confirmed nothing.
	expect(persisted.covers(writer.doc)).toBe(false);

	proxy.release();
	await waitFor(() => persisted.covers(writer.doc), 10_000, 'confirmed once appended');
	const late = await connectSynced((await fx.relay()).wsUrl, doc);
	fx.defer(() => late.destroy());
	expect(late.doc.getArray<string>('edits').toArray()).toEqual(['early']);
});

it('an edit on B that builds on an early update is stored, and confirmed only once durable', async () => {
	const doc = 'c/demo/households/h02';
	const { proxy, writer, reader } = await writerAndReader(doc);
	const persisted = trackPersisted(reader.provider);

	proxy.hold();
	writer.doc.getArray<string>('edits').push(['from-a']);
	const edits = reader.doc.getArray<string>('edits');
	await waitFor(() => edits.length === 1, 10_000, 'the reader on B got the early update');
	// Inserted after A's item: it cannot be integrated anywhere without A's update.
	edits.push(['from-b']);
	const fields = reader.doc.getMap<number>('fields');
	fields.set('b', 1);
	// B's own confirmations (of the attestation of the reader's client id) arrive meanwhile.
	await waitFor(() => persisted.received.length > 0, 10_000, 'a confirmation from B');
	expect(persisted.covers(reader.doc)).toBe(false);

	proxy.release();
	await waitFor(() => persisted.covers(reader.doc), 10_000, "B confirmed the reader's edit");
	await waitFor(
		() => writer.doc.getArray<string>('edits').length === 2,
		10_000,
		'the writer on A got the edit from B'
	);
	// A relay started now loads both edits from storage (Redis streams and PostgreSQL).
	const late = await connectSynced((await fx.relay()).wsUrl, doc);
	fx.defer(() => late.destroy());
	expect(late.doc.getArray<string>('edits').toArray()).toEqual(['from-a', 'from-b']);
	expect(late.doc.getMap('fields').toJSON()).toEqual({ b: 1 });
});

it("no confirmation from B covers A's update before it is durable: after A dies, its client resends it", async () => {
	const doc = 'c/demo/households/h03';
	const proxy = await holdingProxy();
	const dataDir = fx.dataDir();
	const child = await spawnRelay({
		DATA_DIR: dataDir,
		STATIC_DIR: `${dataDir}/no-build`,
		REDIS_URL: proxy.url,
		DATABASE_URL: fx.databaseUrl
	});
	fx.defer(() => killHard(child.child));
	const b = await fx.relay();
	const writer = await connectSynced(child.wsUrl, doc);
	const reader = await connectSynced(b.wsUrl, doc);
	fx.defer(() => reader.destroy());

	proxy.hold();
	writer.doc.getArray<string>('edits').push(['unsaved']);
	await waitFor(
		() => reader.doc.getArray<string>('edits').length === 1,
		10_000,
		'the reader on B got the update early'
	);
	await killHard(child.child);
	// The writer moves to B with the same document (same client id): whatever B confirms is
	// what B holds durably, so it resends the update and B stores it.
	writer.provider.destroy();
	const moved = connectClient(b.wsUrl, doc, writer.doc);
	fx.defer(() => moved.destroy());
	const persisted = trackPersisted(moved.provider);
	await waitFor(() => persisted.covers(moved.doc), 10_000, 'B confirmed the moved edit');

	const late = await connectSynced((await fx.relay()).wsUrl, doc);
	fx.defer(() => late.destroy());
	expect(late.doc.getArray<string>('edits').toArray()).toEqual(['unsaved']);
});

it("on a document with write rules, a member's edit on B that builds on an early update waits for its stream entry: not refused, stored, confirmed", async () => {
	const proxy = await holdingProxy();
	const [a, b] = await Promise.all([fx.relay({ redisUrl: proxy.url }), fx.relay()]);
	// Members are shared by the relays (PostgreSQL): made through A, they write through B.
	const members = await demoMembers(a);
	const writer = await probeClient(a, members.secretary.token);
	fx.defer(() => writer.destroy());
	const reader = await probeClient(b, members.gridMember.token);
	fx.defer(() => reader.destroy());
	const persisted = trackPersisted(reader.provider);
	const written = trackPersisted(writer.provider);
	writeCase(writer.doc, 'k1', members.secretary.name);
	await waitFor(() => reader.doc.getMap('cases').has('k1'), 10_000, 'the case on B');
	// Appended: the proxy holds a connection from its next MULTI on, publications included.
	await waitFor(() => written.covers(writer.doc), 10_000, 'the case stored');

	proxy.hold();
	timelineOf(writer.doc, 'k1').push([entry('comment', members.secretary.name, { text: 'a' })]);
	const timeline = (): number =>
		reader.doc.getMap('cases').has('k1') ? timelineOf(reader.doc, 'k1').length : 0;
	const before = timeline();
	await waitFor(() => timeline() === before + 1, 10_000, 'the early comment on B');
	// Appended after A's comment: B lacks what it builds on until A's append is read.
	timelineOf(reader.doc, 'k1').push([entry('comment', members.gridMember.name, { text: 'b' })]);

	proxy.release();
	await waitFor(
		() => persisted.covers(reader.doc),
		10_000,
		"B confirmed the grid member's comment"
	);
	expect(reader.refusals).toEqual([]);
	const late = await connectSynced((await fx.relay()).wsUrl, BOARD);
	fx.defer(() => late.destroy());
	const texts = timelineOf(late.doc, 'k1')
		.toArray()
		.map((e) => (e as { text?: string }).text)
		.filter((text) => text !== undefined);
	expect(texts).toEqual(['a', 'b']);
});

it("a member reconnecting to B while it holds A's early update (and its attestation) is not refused for it", async () => {
	const proxy = await holdingProxy();
	const [a, b] = await Promise.all([fx.relay({ redisUrl: proxy.url }), fx.relay()]);
	const members = await demoMembers(a);
	const first = await probeClient(a, members.secretary.token);
	fx.defer(() => first.destroy());
	const written = trackPersisted(first.provider);
	writeCase(first.doc, 'k2', members.secretary.name);
	await waitFor(() => written.covers(first.doc), 10_000, 'the case stored');
	const reader = await probeClient(b, members.gridMember.token);
	fx.defer(() => reader.destroy());
	await waitFor(() => reader.doc.getMap('cases').has('k2'), 10_000, 'the case on B');
	const persisted = trackPersisted(reader.provider);

	proxy.hold();
	// A new client id on A: its first update comes with A's attestation of it.
	const writer = await probeClient(a, members.secretary.token);
	fx.defer(() => writer.destroy());
	timelineOf(writer.doc, 'k2').push([entry('comment', members.secretary.name, { text: 'a' })]);
	await waitFor(() => timelineOf(reader.doc, 'k2').length === 2, 10_000, 'the early comment');
	// The reader goes away, writes offline, comes back: its sync step 2 holds A's update.
	reader.provider.disconnect();
	timelineOf(reader.doc, 'k2').push([entry('comment', members.gridMember.name, { text: 'b' })]);
	reader.provider.connect();
	await waitFor(() => reader.provider.synced, 10_000, 'the reader synced again');

	proxy.release();
	await waitFor(() => persisted.covers(reader.doc), 10_000, "B confirmed the reader's edit");
	expect(reader.refusals).toEqual([]);
	const late = await connectSynced((await fx.relay()).wsUrl, BOARD);
	fx.defer(() => late.destroy());
	const texts = timelineOf(late.doc, 'k2')
		.toArray()
		.map((e) => (e as { text?: string }).text)
		.filter((text) => text !== undefined);
	expect(texts).toEqual(['a', 'b']);
});

it('a forwarded client id is not attested to a member who resends it', async () => {
	const doc = 'c/demo/meetings/m1';
	const proxy = await holdingProxy();
	const [a, b] = await Promise.all([fx.relay({ redisUrl: proxy.url }), fx.relay()]);
	const members = await demoMembers(a);
	const watcher = await connectSynced(b.wsUrl, doc);
	fx.defer(() => watcher.destroy());
	// Every attestation B's peers receive, as written (one that loses to another in the map
	// was written all the same): client id → `relay client id:member` of each.
	const attested = new Map<string, string[]>();
	watcher.doc.on('update', (update: Uint8Array) => {
		for (const struct of Y.decodeUpdate(update).structs) {
			// A decoded struct's parent is a root type's name (a string), whatever its type says.
			if (!(struct instanceof Y.Item) || (struct.parent as unknown) !== ATTESTATION_ROOT) continue;
			const value = struct.content.getContent()[0] as { member?: string } | undefined;
			const key = struct.parentSub ?? '';
			const written = `${struct.id.client}:${value?.member ?? 'deleted'}`;
			attested.set(key, [...(attested.get(key) ?? []), written]);
		}
	});
	const reader = await probeClient(b, members.gridMember.token, new Y.Doc(), doc);
	fx.defer(() => reader.destroy());
	let awarenessReplies = 0;
	const awarenessHandler = reader.provider.messageHandlers[1]!;
	reader.provider.messageHandlers[1] = (...args) => {
		awarenessReplies++;
		awarenessHandler(...args);
	};

	// A client id new to the document: its first update comes with A's attestation of it.
	const writer = await probeClient(a, members.secretary.token, new Y.Doc(), doc);
	fx.defer(() => writer.destroy());
	const written = trackPersisted(writer.provider);
	// Loaded on A: the proxy holds A's connection from its next MULTI on, its publications too.
	proxy.hold();
	const paragraph = new Y.XmlElement('paragraph');
	paragraph.setAttribute('textAlign', 'left');
	paragraph.insert(0, [new Y.XmlText('议定：下周修灯')]);
	writer.doc.getXmlFragment('minutes').insert(0, [paragraph]);
	const client = writer.doc.clientID;
	await waitFor(
		() => reader.doc.getXmlFragment('minutes').length === 1,
		10_000,
		'the early update on B'
	);
	// The grid member (who may type minutes too) sends the writer's structs alone, without A's
	// attestation: the client id is new to B and unattested there.
	const others = Y.decodeStateVector(Y.encodeStateVector(reader.doc));
	others.set(client, 0);
	reader.sendUpdate(Y.encodeStateAsUpdate(reader.doc, Y.encodeStateVector(others)));
	// B handles a connection's messages in order: once it answers this query, it has checked
	// the update (and, had it applied it, attested its client id at once).
	const replies = awarenessReplies;
	reader.provider.ws?.send(new Uint8Array([3]));
	await waitFor(() => awarenessReplies > replies, 10_000, 'B answered the query');

	proxy.release();
	await waitFor(() => written.covers(writer.doc), 10_000, "A confirmed the writer's edit");
	// B applied A's entries: a second attestation, had B written one, reached its peers before.
	await waitFor(
		() => b.relay.cluster!.get(doc)?.doc.getMap(ATTESTATION_ROOT).has(String(client)) === true,
		10_000,
		'the attestation applied on B'
	);
	expect(reader.refusals).toEqual([]);
	// Once, by A's relay (forwarded early; its stream entry changed nothing on the watcher).
	expect(attested.get(String(client))).toHaveLength(1);
	expect(attested.get(String(client))?.[0]).toMatch(`:${members.secretary.memberId}`);
	const late = await connectSynced((await fx.relay()).wsUrl, doc);
	fx.defer(() => late.destroy());
	const stored = late.doc.getMap<{ member: string }>(ATTESTATION_ROOT).get(String(client));
	expect(stored?.member).toBe(members.secretary.memberId);
});

/** Counts the sync-update frames (message 0, 2) `client` receives. */
function countUpdates(client: TestClient): () => number {
	let count = 0;
	const handler = client.provider.messageHandlers[0]!;
	client.provider.messageHandlers[0] = (encoder, decoder, provider, emitSynced, type) => {
		if (decoding.peekVarUint(decoder) === 2) count++;
		handler(encoder, decoder, provider, emitSynced, type);
	};
	return () => count;
}

/** Resolves once the relay answered a query `client` sends now: what it sent before arrived. */
async function roundTrip(client: TestClient): Promise<void> {
	let answered = false;
	const handler = client.provider.messageHandlers[1]!;
	client.provider.messageHandlers[1] = (...args) => {
		answered = true;
		handler(...args);
	};
	client.provider.ws?.send(new Uint8Array([3]));
	await waitFor(() => answered, 10_000, 'an answer to the awareness query');
	client.provider.messageHandlers[1] = handler;
}

it("a client on relay B receives one edit on A once; a client that joined B between A's forward and its stream entry gets it too", async () => {
	const doc = 'c/demo/households/h04';
	const { proxy, writer, reader, b } = await writerAndReader(doc);
	const updates = countUpdates(reader);
	const persisted = trackPersisted(writer.provider);

	proxy.hold();
	writer.doc.getArray<string>('edits').push(['once']);
	await waitFor(
		() => reader.doc.getArray<string>('edits').length === 1,
		10_000,
		'the reader on B got the early update'
	);
	// Joined after the forward: B's sync step 2 lacks the edit (B applies only its stream entry).
	const joined = await connectSynced(b.wsUrl, doc);
	fx.defer(() => joined.destroy());
	expect(joined.doc.getArray<string>('edits').length).toBe(0);

	proxy.release();
	await waitFor(() => persisted.covers(writer.doc), 10_000, 'A confirmed the edit');
	await waitFor(
		() => b.relay.cluster!.get(doc)?.doc.getArray<string>('edits').length === 1,
		10_000,
		'B applied the stream entry'
	);
	await waitFor(
		() => joined.doc.getArray<string>('edits').length === 1,
		10_000,
		'the client that joined meanwhile got the edit'
	);
	await roundTrip(reader);
	// The fast path's frame only: the stream entry's update was not sent to it again.
	expect(updates()).toBe(1);
});
