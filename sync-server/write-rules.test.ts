/**
 * The board's write rules through the real relay: for each role × forbidden operation, a stock
 * y-websocket client with a real member token writes it, and the relay answers 102 (with the
 * reason and path) or 101 (read-only), stores nothing, forwards nothing, and keeps serving the
 * sender; each permitted operation still reaches another client, attested to its member.
 * Rules: src/lib/wire/write-rules-board.ts; guard: write-guard.ts.
 */
import { writeRulesOf } from '../src/lib/wire/write-rules-of.ts';
import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { ATTESTATION_ROOT, CLOSE, RELAY_MEMBER, type WriteRefusal } from '../src/lib/wire/index.ts';
import {
	commentChain,
	BOARD,
	caseOf,
	casesOf,
	clientsOf,
	createMembers,
	entry,
	fieldEdit,
	fieldsOf,
	probeClient,
	pushEdit,
	stateVectorOf,
	timelineOf,
	writeCase,
	writeStaffCase,
	type Member,
	type Members,
	type ProbeClient
} from './write-rules-fixture.ts';
import { removeDir, startTestRelay, waitFor, type TestRelay } from './test-helpers.ts';
import { checkUpdate } from './write-guard.ts';

const CASE = 'k1';
/** The sentinel's own case: probes never touch it, so every client can always see its comments. */
const SENTINEL_CASE = 'k0';

type Ctx = Readonly<{ m: Members; me: Member; seedClient: number; relayClient: number }>;
type Op = (doc: Y.Doc, client: ProbeClient, ctx: Ctx) => void;
type Who = keyof Members;
type Row = Readonly<{
	who: Who;
	what: string;
	op: Op;
	/**
	 * A refusal reason and the path it names, 'read-only' for 101, or 'resync' for an update that
	 * builds on what the relay lacks: dropped and answered with a sync step 1, no 102.
	 */
	expected: { reason: WriteRefusal; path: RegExp } | 'read-only' | 'resync';
	/** The Yjs client id the sender writes with (default: a fresh one). */
	clientId?: (ctx: Ctx) => number;
}>;

let r: TestRelay;
let m: Members;
/** A service client that sees everything the relay forwards. */
let watcher: ProbeClient;
/** Client ids of every update the watcher received. */
const forwarded = new Set<number>();
let seeder: ProbeClient;
/** A secretary's client that writes after each probe, to see the others still served. */
let sentinel: ProbeClient;
let relayClient = 0;
const clients = new Set<ProbeClient>();

async function connect(token: string, doc?: Y.Doc): Promise<ProbeClient> {
	const client = await probeClient(r, token, doc);
	clients.add(client);
	return client;
}

function disconnect(...done: ProbeClient[]): void {
	for (const c of done) {
		c.destroy();
		clients.delete(c);
	}
}

function attestOf(doc: Y.Doc): Record<string, { member: string; from: number }> {
	return doc.getMap(ATTESTATION_ROOT).toJSON() as Record<string, { member: string; from: number }>;
}

beforeAll(async () => {
	r = await startTestRelay();
	m = createMembers(r);
	watcher = await connect(r.token);
	watcher.doc.on('update', (update: Uint8Array, origin: unknown) => {
		if (origin === watcher.provider) for (const c of clientsOf(update)) forwarded.add(c);
	});
	seeder = await connect(m.secretary.token);
	writeStaffCase(seeder.doc, CASE, m.secretary.name);
	sentinel = await connect(m.secretary.token);
	await waitFor(() => casesOf(sentinel.doc).has(CASE), 5000, 'seed case');
	writeCase(sentinel.doc, SENTINEL_CASE, m.secretary.name);
	await waitFor(() => String(sentinel.doc.clientID) in attestOf(watcher.doc), 5000, 'attested');
	const attest = attestOf(watcher.doc);
	relayClient = Number(Object.keys(attest).find((k) => attest[k]?.member === RELAY_MEMBER));
	expect(relayClient).toBeGreaterThan(0);
}, 20_000);

afterAll(async () => {
	for (const c of clients) c.destroy();
	await r.relay.close();
	removeDir(r.dataDir);
});

// ---- Operations -------------------------------------------------------------------------------

const comment =
	(extra: Record<string, unknown> = {}, by?: (ctx: Ctx) => string): Op =>
	(doc, _c, ctx) =>
		timelineOf(doc, CASE).push([
			entry('comment', by?.(ctx) ?? ctx.me.name, { text: 'hi', ...extra })
		]);
const setField =
	(field: string, value: unknown): Op =>
	(doc, _c, ctx) =>
		pushEdit(doc, CASE, field, fieldEdit(value, ctx.me.name));
const timelineKind =
	(kind: string, extra: Record<string, unknown>): Op =>
	(doc, _c, ctx) =>
		timelineOf(doc, CASE).push([entry(kind, ctx.me.name, extra)]);
const report =
	(values: Record<string, unknown>, by?: (ctx: Ctx) => string): Op =>
	(doc, _c, ctx) =>
		writeCase(doc, `n${doc.clientID}`, by?.(ctx) ?? ctx.me.name, { title: '新问题', ...values });

const deleteTimelineEntry: Op = (doc) => timelineOf(doc, CASE).delete(0, 1);
const deleteFieldEdit: Op = (doc, _c, ctx) =>
	(fieldsOf(doc, CASE).get(`status~${ctx.seedClient}`) as Y.Array<unknown>).delete(0, 1);
const deleteReceipt: Op = (doc, _c, ctx) => {
	const receipts = caseOf(doc, CASE).get(`receipts~${ctx.seedClient}`) as Y.Map<unknown>;
	receipts.delete([...receipts.keys()][0]!);
};
const deletePhoto: Op = (doc, _c, ctx) =>
	(caseOf(doc, CASE).get(`photos~${ctx.seedClient}`) as Y.Array<unknown>).delete(0, 1);
const deleteCase: Op = (doc) => casesOf(doc).delete(CASE);
const overwriteInitial: Op = (doc, _c, ctx) =>
	caseOf(doc, CASE).set('initial', {
		id: 'forged',
		by: ctx.me.name,
		deviceId: 'd',
		at: 1,
		values: { title: '改写' }
	});
const replaceFields: Op = (doc) => caseOf(doc, CASE).set('fields', new Y.Map());
const writeAttest =
	(key: (ctx: Ctx, doc: Y.Doc) => string): Op =>
	(doc, _c, ctx) =>
		doc.getMap(ATTESTATION_ROOT).set(key(ctx, doc), { member: ctx.me.memberId, from: 0 });
const deleteAttest: Op = (doc, _c, ctx) =>
	doc.getMap(ATTESTATION_ROOT).delete(String(ctx.seedClient));

/** Two comments from a side copy; only the second is sent: its clock starts past the relay's. */
const clockGap: Op = (doc, client, ctx) => {
	const side = new Y.Doc();
	Y.applyUpdate(side, Y.encodeStateAsUpdate(doc));
	const timeline = timelineOf(side, CASE);
	timeline.push([entry('comment', ctx.me.name, { text: 'first' })]);
	const before = Y.encodeStateVector(side);
	timeline.push([entry('comment', ctx.me.name, { text: 'second' })]);
	client.sendUpdate(Y.encodeStateAsUpdate(side, before));
};
/** Deletes a comment the relay never received (only the delete set is sent). */
const deleteUnknown: Op = (doc, client, ctx) => {
	const side = new Y.Doc();
	Y.applyUpdate(side, Y.encodeStateAsUpdate(doc));
	const timeline = timelineOf(side, CASE);
	timeline.push([entry('comment', ctx.me.name, { text: 'ghost' })]);
	timeline.delete(timeline.length - 1, 1);
	client.sendUpdate(Y.encodeStateAsUpdate(side, Y.encodeStateVector(side)));
};

const TIMELINE = /^cases\/k1\/timeline\/\[\]$/;
const fieldPath = (field: string) => new RegExp(`^cases/k1/fields/${field}~\\d+/\\[\\]$`);
const refused = (reason: WriteRefusal, path: RegExp) => ({ reason, path });

const STAFF_FIELDS: [string, unknown][] = [
	['status', 'closed'],
	['tier', 'community'],
	['assignees', '张志愿'],
	['deadline', Date.UTC(2027, 5, 1)],
	['duplicateOf', 'k0']
];
const STAFF_KINDS: [string, Record<string, unknown>][] = [
	['status', { action: 'close', from: 'accepted', to: 'closed' }],
	['tier', { action: 'escalate', from: 'grid', to: 'community', reason: '' }],
	['assigned', { from: [], to: ['张志愿'] }],
	['deadline', { from: null, to: Date.UTC(2027, 5, 1) }]
];

const FORBIDDEN: Row[] = [
	...STAFF_FIELDS.map(([field, value]): Row => ({
		who: 'volunteer',
		what: `sets ${field}`,
		op: setField(field, value),
		expected: refused('not_permitted', fieldPath(field))
	})),
	...STAFF_KINDS.map(([kind, extra]): Row => ({
		who: 'volunteer',
		what: `writes a '${kind}' timeline entry`,
		op: timelineKind(kind, extra),
		expected: refused('not_permitted', TIMELINE)
	})),
	...(['status', 'tier', 'assignees', 'deadline', 'duplicateOf'] as const).map((field): Row => ({
		who: 'volunteer',
		what: `reports a case whose initial ${field} is not the default`,
		op: report({
			[field]: {
				status: 'closed',
				tier: 'community',
				assignees: '张志愿',
				deadline: 1,
				duplicateOf: 'k1'
			}[field]
		}),
		expected: refused('not_permitted', /^cases\/n\d+\/initial$/)
	})),
	{
		who: 'volunteer',
		what: "writes a 'created' entry of a closed case",
		op: timelineKind('created', { title: '假', category: 'other', status: 'closed' }),
		expected: refused('not_permitted', TIMELINE)
	},
	{
		who: 'volunteer',
		what: 'settles a conflict in status',
		op: timelineKind('conflict_resolved', { field: 'status', to: 'closed', chosen: 'x' }),
		expected: refused('not_permitted', TIMELINE)
	},
	...(['grid', 'street'] as const).flatMap((tier): Row[] => [
		{
			who: 'gridMember',
			what: `hands back: tier edit to '${tier}'`,
			op: setField('tier', tier),
			expected: refused('not_permitted', fieldPath('tier'))
		},
		{
			who: 'gridMember',
			what: `hands back: tier entry to '${tier}'`,
			op: timelineKind('tier', { action: 'hand_back', from: 'community', to: tier, reason: '' }),
			expected: refused('not_permitted', TIMELINE)
		}
	]),
	{
		who: 'gridMember',
		what: "reports a case at tier 'street'",
		op: report({ tier: 'street' }),
		expected: refused('not_permitted', /^cases\/n\d+\/initial$/)
	},
	...(['secretary', 'gridMember', 'volunteer'] as const).flatMap((who): Row[] => [
		{
			who,
			what: 'deletes a timeline entry',
			op: deleteTimelineEntry,
			expected: refused('history', TIMELINE)
		},
		{
			who,
			what: 'deletes a field-log edit',
			op: deleteFieldEdit,
			expected: refused('history', fieldPath('status'))
		},
		{
			who,
			what: 'deletes a receipt',
			op: deleteReceipt,
			expected: refused('history', /^cases\/k1\/receipts~\d+\/\w+$/)
		},
		{
			who,
			what: 'deletes a photo',
			op: deletePhoto,
			expected: refused('history', /^cases\/k1\/photos~\d+\/\[\]$/)
		},
		// Deleting the case deletes all it holds; the path names the first removal checked.
		{
			who,
			what: 'deletes a case',
			op: deleteCase,
			expected: refused('history', /^cases\/k1(\/|$)/)
		},
		{
			who,
			what: 'overwrites initial',
			op: overwriteInitial,
			expected: refused('history', /^cases\/k1\/initial$/)
		},
		{
			who,
			what: 'replaces the fields map',
			op: replaceFields,
			expected: refused('history', /^cases\/k1\/fields$/)
		},
		{
			who,
			what: 'writes into attest',
			op: writeAttest((_ctx, doc) => String(doc.clientID)),
			expected: refused('not_permitted', /^attest$/)
		}
	]),
	{
		who: 'volunteer',
		what: "re-attests the secretary's client id to itself",
		op: writeAttest((ctx) => String(ctx.seedClient)),
		expected: refused('not_permitted', /^attest$/)
	},
	{
		who: 'volunteer',
		what: 'deletes an attestation',
		op: deleteAttest,
		expected: refused('not_permitted', /^attest$/)
	},
	{
		who: 'volunteer',
		what: "comments under the secretary's name",
		op: comment({}, (ctx) => ctx.m.secretary.name),
		expected: refused('author', TIMELINE)
	},
	{
		who: 'volunteer',
		what: "comments with the secretary's memberId",
		op: (doc, _c, ctx) =>
			timelineOf(doc, CASE).push([
				entry('comment', ctx.me.name, { text: 'hi', memberId: ctx.m.secretary.memberId })
			]),
		expected: refused('author', TIMELINE)
	},
	{
		who: 'volunteer',
		what: "edits the title under the secretary's name",
		op: (doc, _c, ctx) => pushEdit(doc, CASE, 'title', fieldEdit('改名', ctx.m.secretary.name)),
		expected: refused('author', fieldPath('title'))
	},
	{
		who: 'volunteer',
		what: "reports a case under the secretary's name",
		op: report({}, (ctx) => ctx.m.secretary.name),
		expected: refused('author', /^cases\/n\d+\/initial$/)
	},
	{
		who: 'volunteer',
		what: "adds a photo under the secretary's name",
		op: (doc, _c, ctx) => {
			doc.transact(() => {
				const photos = new Y.Array<unknown>();
				caseOf(doc, CASE).set(`photos~${doc.clientID}`, photos);
				photos.push([{ hash: 'b'.repeat(64), addedBy: ctx.m.secretary.name, at: 1 }]);
			});
		},
		expected: refused('author', /^cases\/k1\/photos~\d+\/\[\]$/)
	},
	{
		who: 'volunteer',
		what: "writes under the secretary's attested client id",
		op: comment(),
		clientId: (ctx) => ctx.seedClient,
		expected: refused('foreign_client', /^\d+$/)
	},
	{
		who: 'secretary',
		what: "writes under the relay's own client id",
		op: comment(),
		clientId: (ctx) => ctx.relayClient,
		expected: refused('foreign_client', /^\d+$/)
	},
	{
		who: 'volunteer',
		what: 'sends an update with a clock gap',
		op: clockGap,
		expected: 'resync'
	},
	{
		who: 'volunteer',
		what: 'deletes items the relay does not have',
		op: deleteUnknown,
		expected: 'resync'
	},
	{
		who: 'volunteer',
		what: 'writes an unknown root',
		op: (doc) => doc.getMap('evil').set('x', 1),
		expected: refused('shape', /^evil$/)
	},
	{
		who: 'volunteer',
		what: 'writes an unknown key in a case',
		op: (doc) => caseOf(doc, CASE).set('hack', 1),
		expected: refused('shape', /^cases\/k1\/hack$/)
	},
	{
		who: 'volunteer',
		what: "creates another client's slot",
		op: (doc) => fieldsOf(doc, CASE).set('title~12345', new Y.Array()),
		expected: refused('shape', /^cases\/k1\/fields\/title~12345$/)
	},
	{
		who: 'volunteer',
		what: 'creates an unknown field log',
		op: (doc) => fieldsOf(doc, CASE).set(`secret~${doc.clientID}`, new Y.Array()),
		expected: refused('shape', /^cases\/k1\/fields\/secret~\d+$/)
	},
	{
		who: 'volunteer',
		what: 'writes a plain value as a case',
		op: (doc) => casesOf(doc).set('k9', 'not a case'),
		expected: refused('shape', /^cases\/k9$/)
	},
	{
		who: 'volunteer',
		what: 'pushes rich text into the timeline',
		op: (doc) => timelineOf(doc, CASE).push([new Y.Text('x')]),
		expected: refused('shape', TIMELINE)
	},
	{
		who: 'volunteer',
		what: 'writes a case under an invalid id',
		op: (doc) => casesOf(doc).set('../x', new Y.Map()),
		expected: refused('shape', /^cases\/\.\.\/x$/)
	},
	...(['otherGridMember', 'observer'] as const).map((who): Row => ({
		who,
		what: 'comments',
		op: comment(),
		expected: 'read-only'
	}))
];

const PERMITTED: { who: Who; what: string; op: Op }[] = [
	{ who: 'volunteer', what: 'comments', op: comment() },
	{
		who: 'volunteer',
		what: 'reports a case at the defaults',
		op: report({ status: 'reported', tier: 'grid' })
	},
	{ who: 'volunteer', what: 'edits the title', op: setField('title', '新标题') },
	{ who: 'volunteer', what: 'edits the description', op: setField('description', '描述') },
	{
		who: 'volunteer',
		what: 'settles a conflict in the title',
		op: timelineKind('conflict_resolved', { field: 'title', to: 'x', chosen: 'x' })
	},
	{
		who: 'volunteer',
		what: 'attaches a photo',
		op: (doc, _c, ctx) => {
			const photos = new Y.Array<unknown>();
			caseOf(doc, CASE).set(`photos~${doc.clientID}`, photos);
			photos.push([{ hash: 'c'.repeat(64), addedBy: ctx.me.name, at: 1 }]);
		}
	},
	{
		who: 'volunteer',
		what: 'stamps its own receipts',
		op: (doc) => {
			const receipts = new Y.Map<unknown>();
			caseOf(doc, CASE).set(`receipts~${doc.clientID}`, receipts);
			receipts.set('e1', Date.now());
		}
	},
	...STAFF_FIELDS.map(([field, value]) => ({
		who: 'gridMember' as const,
		what: `sets ${field}`,
		op: setField(field, value)
	})),
	...STAFF_KINDS.map(([kind, extra]) => ({
		who: 'gridMember' as const,
		what: `writes a '${kind}' entry`,
		op: timelineKind(kind, extra)
	})),
	{ who: 'gridMember', what: 'reports a case', op: report({ status: 'accepted' }) },
	{ who: 'secretary', what: "hands back: tier edit to 'grid'", op: setField('tier', 'grid') },
	{
		who: 'secretary',
		what: "hands back: tier entry to 'grid'",
		op: timelineKind('tier', { action: 'hand_back', from: 'community', to: 'grid', reason: '' })
	},
	{ who: 'secretary', what: 'reports a case at tier community', op: report({ tier: 'community' }) }
];

function ctxFor(who: Who): Ctx {
	return { m, me: m[who], seedClient: seeder.doc.clientID, relayClient };
}

/** What a fresh service client gets from the relay: its state vector and delete set. */
async function relayState(): Promise<{ sv: Map<number, number>; snapshot: Y.Snapshot }> {
	const fresh = await probeClient(r, r.token);
	const state = { sv: stateVectorOf(fresh.doc), snapshot: Y.snapshot(fresh.doc) };
	fresh.destroy();
	return state;
}

/** A sentinel comment from the secretary; resolves once `clients` all received it. */
async function sentinelComment(...receivers: ProbeClient[]): Promise<void> {
	const note = entry('comment', m.secretary.name, { text: 'sentinel' });
	timelineOf(sentinel.doc, SENTINEL_CASE).push([note]);
	const has = (c: ProbeClient) =>
		casesOf(c.doc).has(SENTINEL_CASE) &&
		timelineOf(c.doc, SENTINEL_CASE)
			.toArray()
			.some((e) => (e as { id: string }).id === note.id);
	await waitFor(() => receivers.every(has), 5000, 'sentinel comment');
}

describe('board write rules: forbidden operations are refused', () => {
	it.each(FORBIDDEN.map((row) => [`${row.who} ${row.what}`, row] as const))(
		'%s',
		async (_name, row) => {
			const ctx = ctxFor(row.who);
			const before = await relayState();
			const sender = await connect(ctx.me.token);
			const doc = sender.doc;
			// After the sync: a Yjs doc that receives structs of its own client id picks a new one.
			const ownId = doc.clientID;
			if (row.clientId) doc.clientID = row.clientId(ctx);
			const asked = sender.syncStep1s();
			row.op(doc, sender, ctx);
			if (row.expected === 'read-only') {
				await waitFor(() => sender.writesRefused.length === 1, 5000, '101');
				expect(sender.refusals).toEqual([]);
			} else if (row.expected === 'resync') {
				await waitFor(() => sender.syncStep1s() > asked, 5000, 'a sync step 1');
				expect(sender.refusals).toEqual([]);
			} else {
				await waitFor(() => sender.refusals.length > 0, 5000, '102');
				const [refusal] = sender.refusals;
				expect(refusal?.count).toBe(1);
				expect(refusal?.reason).toBe(row.expected.reason);
				expect(refusal?.path).toMatch(row.expected.path);
			}
			// The others are still served, and so is the sender.
			await sentinelComment(sender, watcher);
			expect(sender.closes).toEqual([]);
			expect(sender.provider.wsconnected).toBe(true);
			// Nothing was stored: a fresh client gets what it got before, plus the sentinel.
			const after = await relayState();
			const expectedSv = new Map(before.sv);
			expectedSv.set(sentinel.doc.clientID, after.sv.get(sentinel.doc.clientID) ?? 0);
			expect(after.sv).toEqual(expectedSv);
			expect(Y.equalDeleteSets(before.snapshot.ds, after.snapshot.ds)).toBe(true);
			// Nothing was forwarded.
			if (!row.clientId) expect(forwarded.has(doc.clientID)).toBe(false);
			// (the provider's awareness state is kept under the id it started with)
			doc.clientID = ownId;
			if (row.expected === 'read-only') return disconnect(sender);
			// A new document of the same member writes what it may.
			const again = await connect(ctx.me.token);
			comment()(again.doc, again, ctx);
			await waitFor(() => forwarded.has(again.doc.clientID), 5000, 'permitted comment');
			expect(again.refusals).toEqual([]);
			disconnect(sender, again);
		}
	);
});

describe('board write rules: permitted operations reach the others, attested', () => {
	it.each(PERMITTED.map((row) => [`${row.who} ${row.what}`, row] as const))(
		'%s',
		async (_name, row) => {
			const ctx = ctxFor(row.who);
			const sender = await connect(ctx.me.token);
			row.op(sender.doc, sender, ctx);
			await waitFor(() => forwarded.has(sender.doc.clientID), 5000, 'forwarded');
			await waitFor(() => String(sender.doc.clientID) in attestOf(watcher.doc), 5000, 'attest');
			expect(attestOf(watcher.doc)[String(sender.doc.clientID)]).toEqual({
				member: ctx.me.memberId,
				from: 0
			});
			expect(sender.refusals).toEqual([]);
			expect(sender.writesRefused).toEqual([]);
			disconnect(sender);
		}
	);
});

/** The blocks of a one-client update without a delete set: `[1, …blocks, 0]` → the blocks. */
function onlyBlock(update: Uint8Array): Uint8Array {
	expect(update[0]).toBe(1);
	expect(update[update.length - 1]).toBe(0);
	return update.subarray(1, update.length - 1);
}

describe('board write rules: updates crafted past a stock client', () => {
	it('an update naming one client in two blocks is refused whole, so nothing of it waits unchecked', async () => {
		const v = await connect(m.volunteer.token);
		const base = Y.encodeStateAsUpdate(v.doc);
		const client = 0x5eed;
		const copy = () => {
			const side = new Y.Doc();
			Y.applyUpdate(side, base);
			side.clientID = client;
			return side;
		};
		// Block 1: a photo list; block 2: an entry in it that is a photo and a status edit at once.
		const a = copy();
		const start = Y.encodeStateVector(a);
		const photos = new Y.Array<unknown>();
		caseOf(a, CASE).set(`photos~${client}`, photos);
		const first = Y.encodeStateAsUpdate(a, start);
		const afterFirst = Y.encodeStateVector(a);
		const name = m.volunteer.name;
		photos.push([{ hash: 'd'.repeat(64), addedBy: name, ...fieldEdit('closed', name) }]);
		const second = Y.encodeStateAsUpdate(a, afterFirst);
		// Yjs keeps only the last block of a client: block 2 would wait for clock 0, and the
		// status log below, created at that clock, would take it in unchecked.
		const twice = new Uint8Array([2, ...onlyBlock(first), ...onlyBlock(second), 0]);
		v.sendUpdate(twice);
		const b = copy();
		fieldsOf(b, CASE).set(`status~${client}`, new Y.Array());
		const statusLog = Y.encodeStateAsUpdate(b, start);
		// A malformed frame: the relay closes the connection.
		await waitFor(() => v.closes.length > 0, 5000, 'close');
		expect(v.closes[0]).toBe(CLOSE.badMessage);
		const again = await connect(m.volunteer.token);
		again.sendUpdate(statusLog);
		await waitFor(() => forwarded.has(client), 5000, 'status log created');
		await sentinelComment(watcher);
		const fresh = await connect(r.token);
		const log = fieldsOf(fresh.doc, CASE).get(`status~${client}`) as Y.Array<unknown>;
		expect(log.toArray()).toEqual([]);
		expect(r.relay.docStats(BOARD)?.pendingBytes).toBe(0);
		disconnect(v, again, fresh);
	});
});

/**
 * An update of one item by `client` at `clock`, inserted right of `origin` (so in its map key),
 * whose content is an empty ContentAny: a struct of length 0. Yjs integrates it (its clock is the
 * client's state) and, as the newest value of the key, deletes the value before it.
 */
function zeroLengthItem(client: number, clock: number, origin: Y.ID): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, 1); // one block
	encoding.writeVarUint(encoder, 1); // of one struct
	encoding.writeVarUint(encoder, client);
	encoding.writeVarUint(encoder, clock);
	encoding.writeUint8(encoder, 0x80 | 0x20 | 8); // has origin, in a map key, ContentAny
	encoding.writeVarUint(encoder, origin.client);
	encoding.writeVarUint(encoder, origin.clock);
	encoding.writeVarUint(encoder, 0); // no values
	encoding.writeVarUint(encoder, 0); // empty delete set
	return encoding.toUint8Array(encoder);
}

describe('board write rules: zero-length structs', () => {
	it('an empty value over a case is refused instead of deleting the case unchecked', async () => {
		writeCase(seeder.doc, 'k2', m.secretary.name);
		const v = await connect(m.volunteer.token);
		await waitFor(() => casesOf(v.doc).has('k2'), 5000, 'k2');
		const item = casesOf(v.doc)._map.get('k2')!;
		v.sendUpdate(zeroLengthItem(0x2e70, 0, item.lastId));
		await waitFor(() => v.refusals.length > 0, 5000, '102');
		expect(v.refusals[0]?.reason).toBe('shape');
		await sentinelComment(v, watcher);
		expect(casesOf(watcher.doc).get('k2')).toBeInstanceOf(Y.Map);
		const fresh = await connect(r.token);
		expect(casesOf(fresh.doc).get('k2')).toBeInstanceOf(Y.Map);
		disconnect(v, fresh);
	});
});

describe('write guard: long updates', () => {
	// How long the check takes (linear in the chain's length) is measured by `npm run bench:guard`.
	it('a chain of 20,000 unmerged comments is checked, not refused', () => {
		// Straight on the guard: Yjs itself takes seconds to integrate such a chain.
		const doc = new Y.Doc();
		writeCase(doc, 'k3', m.volunteer.name);
		const timeline = timelineOf(doc, 'k3');
		const update = commentChain(0x3c4a1, timeline._item!.id, 20_000, m.volunteer.name);
		const writer = {
			memberId: m.volunteer.memberId,
			name: m.volunteer.name,
			role: m.volunteer.role,
			grids: []
		};
		const target = { kind: 'board', id: 'g1' } as const;
		const verdict = checkUpdate(doc, Y.decodeUpdate(update), writeRulesOf(target), writer, target);
		expect(verdict.ok).toBe(true);
	});
});

/** An update of only a delete set: one range of `client`. */
function deleteRange(client: number, clock: number, len: number): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, 0); // no structs
	encoding.writeVarUint(encoder, 1); // one client
	encoding.writeVarUint(encoder, client);
	encoding.writeVarUint(encoder, 1); // one range
	encoding.writeVarUint(encoder, clock);
	encoding.writeVarUint(encoder, len);
	return encoding.toUint8Array(encoder);
}

describe('write rules: delete sets that would wait', () => {
	it('an empty delete range past the state is refused, and nothing is left pending', async () => {
		const v = await connect(m.volunteer.token);
		v.sendUpdate(deleteRange(seeder.doc.clientID, 1_000_000, 0));
		await waitFor(() => v.refusals.length > 0, 5000, '102');
		expect(v.refusals[0]?.reason).toBe('shape');
		expect(r.relay.docStats(BOARD)?.pendingBytes).toBe(0);
		disconnect(v);
	});

	it('in a meeting record, deleting what the relay lacks is not applied either', async () => {
		const meeting = 'c/demo/meetings/m1';
		const v = await probeClient(r, m.secretary.token, new Y.Doc(), meeting);
		clients.add(v);
		v.doc.getText('minutes').insert(0, '议程');
		await waitFor(() => (r.relay.docStats(meeting)?.approxBytes ?? 0) > 0, 5000, 'minutes');
		const asked = v.syncStep1s();
		v.sendUpdate(deleteRange(v.doc.clientID, 100, 5));
		// Dropped and answered with a sync step 1 (resend what the relay lacks), not applied.
		await waitFor(() => v.syncStep1s() > asked, 5000, 'a sync step 1');
		expect(v.refusals).toEqual([]);
		expect(r.relay.docStats(meeting)?.pendingBytes).toBe(0);
		disconnect(v);
	});
});
