/**
 * The write rules of the directory, tasks, meetings (index and record) and households documents,
 * probed through the real relay with stock y-websocket clients on real members' tokens: for each
 * role that may write a kind, each forbidden operation is refused with message 102 and its
 * reason, the relay's stored state is unchanged and the connection stays open; each permitted
 * operation reaches another client; a role the access matrix lets only read gets 101. Shapes are written by hand (raw Yjs), as any client could
 * (src/lib/wire/write-rules-{directory,tasks,meetings,households}.ts).
 */
import * as decoding from 'lib0/decoding';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
	isWriteRefusal,
	MESSAGE_UPDATE_REFUSED,
	MESSAGE_WRITES_REFUSED,
	type WriteRefusal
} from '../src/lib/wire/index.ts';
import {
	connectClient,
	connectSynced,
	demoCommunity,
	removeDir,
	startTestRelay,
	waitFor,
	type Member,
	type TestClient,
	type TestRelay
} from './test-helpers.ts';

type Role = 'secretary' | 'grid-member' | 'volunteer' | 'observer';

let r: TestRelay;
const members = {} as Record<Role, Member>;
const clients: TestClient[] = [];

const DOCS = {
	directory: 'c/demo/directory',
	tasks: 'c/demo/tasks',
	index: 'c/demo/meetings/index',
	record: 'c/demo/meetings/m1',
	households: 'c/demo/households/g1'
} as const;
type Kind = keyof typeof DOCS;

/** A Y.Map holding `entries` (plain values or Y types). */
function ymap(entries: Record<string, unknown>): Y.Map<unknown> {
	const map = new Y.Map<unknown>();
	for (const [key, value] of Object.entries(entries)) map.set(key, value);
	return map;
}
function yarray(items: unknown[]): Y.Array<unknown> {
	const array = new Y.Array<unknown>();
	array.push(items);
	return array;
}
const edit = (by: string, value: unknown, id = `e${Math.random().toString(36).slice(2, 9)}`) => ({
	id,
	value,
	bases: [],
	by,
	deviceId: 'd',
	at: 2
});
const entry = (who: Member, kind: string, more: Record<string, unknown> = {}) => ({
	id: `h${Math.random().toString(36).slice(2, 9)}`,
	kind,
	at: 2,
	by: who.name,
	memberId: who.memberId,
	deviceId: 'd',
	...more
});

/** What the documents hold before the probes: written with the service token (unchecked). */
function seed(kind: Kind, doc: Y.Doc): void {
	const li = members.secretary;
	const zhao = members.volunteer;
	switch (kind) {
		case 'directory':
			doc.getMap('grids').set(
				'g1',
				ymap({
					id: 'g1',
					createdAt: 1,
					createdBy: li.name,
					createdByDevice: 'd',
					name: yarray([edit(li.name, '幸福里')])
				})
			);
			return;
		case 'tasks':
			doc.getMap('tasks').set(
				't1',
				ymap({
					id: 't1',
					createdAt: 1,
					createdBy: li.name,
					title: '买菜',
					hours: 1,
					history: yarray([entry(li, 'created')])
				})
			);
			doc.getMap('patrolRuns').set(
				'r1',
				ymap({
					id: 'r1',
					createdAt: 1,
					createdBy: zhao.name,
					runnerId: zhao.memberId,
					history: yarray([entry(zhao, 'started')])
				})
			);
			doc.getArray('hours').push([{ id: 'x1', memberId: zhao.memberId, by: li.name }]);
			return;
		case 'index':
			doc.getMap('meetings').set(
				'm1',
				ymap({
					id: 'm1',
					createdAt: 1,
					createdBy: li.name,
					createdByDevice: 'd',
					fields: ymap({ title: yarray([edit(li.name, '议事')]) }),
					attendees: yarray([{ id: 'a1', kind: 'added', name: '张三', by: li.name }])
				})
			);
			return;
		case 'record': {
			const paragraph = new Y.XmlElement('paragraph');
			paragraph.insert(0, [new Y.XmlText('议定：下周修灯')]);
			doc.getXmlFragment('minutes').insert(0, [paragraph]);
			doc.getMap('items').set(
				'i1',
				ymap({
					id: 'i1',
					kind: 'action',
					text: '修灯',
					createdBy: li.name,
					followUps: yarray([])
				})
			);
			doc.getArray('lock').push([{ id: 'l1', at: 1, by: li.name, minutes: '{}' }]);
			return;
		}
		case 'households':
			return;
	}
}

type Op = (doc: Y.Doc, me: Member) => void;
const grid = (doc: Y.Doc) => doc.getMap('grids').get('g1') as Y.Map<unknown>;
const task = (doc: Y.Doc) => doc.getMap('tasks').get('t1') as Y.Map<unknown>;
const taskHistory = (doc: Y.Doc) => task(doc).get('history') as Y.Array<unknown>;
const meeting = (doc: Y.Doc) => doc.getMap('meetings').get('m1') as Y.Map<unknown>;
const other = (): Member => members.secretary;
const notMe = (me: Member): Member =>
	me === members.volunteer ? members.secretary : members.volunteer;

/** A household export record (model/household/commands.ts `recordExport`) in `format`. */
const exportOf =
	(format: string): Op =>
	(doc, me) =>
		doc.getArray('exports').push([
			{
				id: `x-${format}`,
				at: 1,
				by: me.name,
				memberId: me.memberId,
				deviceId: 'phone',
				scope: 'community',
				format,
				full: false,
				households: 3
			}
		]);

const OPS = {
	attest: ((doc) =>
		doc.getMap('attest').set(String(doc.clientID), { member: 'm', from: 0 })) satisfies Op,
	unknownRoot: ((doc) => doc.getMap('evil').set('x', 1)) satisfies Op,
	// directory
	deleteGrid: ((doc) => doc.getMap('grids').delete('g1')) satisfies Op,
	changeCreatedBy: ((doc, me) => grid(doc).set('createdBy', me.name)) satisfies Op,
	deleteNameEdit: ((doc) => (grid(doc).get('name') as Y.Array<unknown>).delete(0, 1)) satisfies Op,
	renameAsOther: ((doc) =>
		(grid(doc).get('name') as Y.Array<unknown>).push([edit(other().name + '2', 'x')])) satisfies Op,
	foreignSlot: ((doc) => doc.getMap('settings').set('timeZone~1', yarray([]))) satisfies Op,
	rename: ((doc, me) =>
		(grid(doc).get('name') as Y.Array<unknown>).push([edit(me.name, '幸福里东')])) satisfies Op,
	setting: ((doc, me) =>
		doc
			.getMap('settings')
			.set(`timeZone~${doc.clientID}`, yarray([edit(me.name, 'UTC')]))) satisfies Op,
	// tasks
	createTask: ((doc, me) =>
		doc.getMap('tasks').set(
			`t${doc.clientID}`,
			ymap({
				id: 't2',
				createdAt: 3,
				createdBy: me.name,
				history: yarray([entry(me, 'created')])
			})
		)) satisfies Op,
	confirm: ((doc, me) => taskHistory(doc).push([entry(me, 'confirmed')])) satisfies Op,
	claim: ((doc, me) =>
		taskHistory(doc).push([entry(me, 'claim', { clientId: doc.clientID })])) satisfies Op,
	claimAsOther: ((doc, me) =>
		taskHistory(doc).push([{ ...entry(me, 'claim'), memberId: notMe(me).memberId }])) satisfies Op,
	nameAsOther: ((doc, me) =>
		taskHistory(doc).push([{ ...entry(me, 'claim'), by: notMe(me).name }])) satisfies Op,
	deleteHistory: ((doc) => taskHistory(doc).delete(0, 1)) satisfies Op,
	changeTitle: ((doc) => task(doc).set('title', '改了')) satisfies Op,
	unknownKind: ((doc, me) => taskHistory(doc).push([entry(me, 'reopened')])) satisfies Op,
	taskHours: ((doc, me) =>
		doc
			.getArray('hours')
			.push([
				{ id: 'x2', memberId: me.memberId, hours: 2, source: 'task', by: me.name }
			])) satisfies Op,
	deleteHours: ((doc) => doc.getArray('hours').delete(0, 1)) satisfies Op,
	tick: ((doc, me) =>
		(
			(doc.getMap('patrolRuns').get('r1') as Y.Map<unknown>).get('history') as Y.Array<unknown>
		).push([entry(me, 'tick', { item: 0, checked: true })])) satisfies Op,
	patrolHours: ((doc, me) =>
		doc
			.getArray('hours')
			.push([
				{ id: 'x3', memberId: me.memberId, hours: 2, source: 'patrol', by: me.name }
			])) satisfies Op,
	dayOfHours: ((doc, me) =>
		doc
			.getArray('hours')
			.push([
				{ id: 'x4', memberId: me.memberId, hours: 240, source: 'patrol', by: me.name }
			])) satisfies Op,
	// meetings index
	deleteAttendee: ((doc) =>
		(meeting(doc).get('attendees') as Y.Array<unknown>).delete(0, 1)) satisfies Op,
	editAsOther: ((doc, me) =>
		((meeting(doc).get('fields') as Y.Map<unknown>).get('title') as Y.Array<unknown>).push([
			edit(notMe(me).name, 'x')
		])) satisfies Op,
	changeMeetingCreatedBy: ((doc, me) => meeting(doc).set('createdBy', me.name)) satisfies Op,
	editField: ((doc, me) =>
		((meeting(doc).get('fields') as Y.Map<unknown>).get('title') as Y.Array<unknown>).push([
			edit(me.name, '议事（改期）')
		])) satisfies Op,
	addAttendee: ((doc, me) =>
		(meeting(doc).get('attendees') as Y.Array<unknown>).push([
			{ id: 'a2', kind: 'added', name: '李四', by: me.name }
		])) satisfies Op,
	// meeting record
	deleteLock: ((doc) => doc.getArray('lock').delete(0, 1)) satisfies Op,
	amendAsOther: ((doc, me) =>
		doc
			.getArray('amendments')
			.push([{ id: 'x', text: '补', at: 1, by: notMe(me).name }])) satisfies Op,
	changeItem: ((doc) =>
		(doc.getMap('items').get('i1') as Y.Map<unknown>).set('text', '改')) satisfies Op,
	type: ((doc) => {
		const paragraph = new Y.XmlElement('paragraph');
		paragraph.setAttribute('textAlign', 'left');
		paragraph.insert(0, [new Y.XmlText('补充')]);
		const minutes = doc.getXmlFragment('minutes');
		minutes.insert(minutes.length, [paragraph]);
	}) satisfies Op,
	deleteText: ((doc) => {
		const first = doc.getXmlFragment('minutes').get(0) as Y.XmlElement;
		(first.get(0) as Y.XmlText).delete(0, 3);
	}) satisfies Op,
	amend: ((doc, me) =>
		doc.getArray('amendments').push([{ id: 'x', text: '补', at: 1, by: me.name }])) satisfies Op,
	// households
	household: ((doc) => doc.getMap('households').set('h1', ymap({ name: '王家' }))) satisfies Op,
	zipExport: ((doc, me) => exportOf('zip')(doc, me)) satisfies Op,
	pdfExport: ((doc, me) => exportOf('pdf')(doc, me)) satisfies Op
};
type OpName = keyof typeof OPS;

/** role × kind × forbidden operation → the reason the relay gives. */
const FORBIDDEN: [Role, Kind, OpName, WriteRefusal][] = [
	['secretary', 'directory', 'deleteGrid', 'history'],
	['secretary', 'directory', 'changeCreatedBy', 'history'],
	['secretary', 'directory', 'deleteNameEdit', 'history'],
	['secretary', 'directory', 'renameAsOther', 'author'],
	['secretary', 'directory', 'foreignSlot', 'shape'],
	['secretary', 'directory', 'unknownRoot', 'shape'],
	['secretary', 'directory', 'attest', 'not_permitted'],
	['volunteer', 'tasks', 'createTask', 'not_permitted'],
	['volunteer', 'tasks', 'confirm', 'not_permitted'],
	['volunteer', 'tasks', 'claimAsOther', 'author'],
	['volunteer', 'tasks', 'nameAsOther', 'author'],
	['volunteer', 'tasks', 'deleteHistory', 'history'],
	['volunteer', 'tasks', 'changeTitle', 'history'],
	['volunteer', 'tasks', 'taskHours', 'not_permitted'],
	['volunteer', 'tasks', 'deleteHours', 'history'],
	['volunteer', 'tasks', 'dayOfHours', 'shape'],
	['volunteer', 'tasks', 'attest', 'not_permitted'],
	['grid-member', 'tasks', 'deleteHistory', 'history'],
	['grid-member', 'tasks', 'claimAsOther', 'author'],
	['grid-member', 'tasks', 'unknownKind', 'shape'],
	['secretary', 'tasks', 'changeTitle', 'history'],
	['secretary', 'tasks', 'deleteHours', 'history'],
	['secretary', 'tasks', 'unknownRoot', 'shape'],
	['grid-member', 'index', 'deleteAttendee', 'history'],
	['grid-member', 'index', 'editAsOther', 'author'],
	['grid-member', 'index', 'changeMeetingCreatedBy', 'history'],
	['secretary', 'index', 'attest', 'not_permitted'],
	['secretary', 'index', 'type', 'shape'],
	['grid-member', 'record', 'deleteLock', 'history'],
	['grid-member', 'record', 'amendAsOther', 'author'],
	['grid-member', 'record', 'changeItem', 'history'],
	['secretary', 'record', 'unknownRoot', 'shape'],
	['secretary', 'record', 'attest', 'not_permitted'],
	['secretary', 'households', 'household', 'shape'],
	['grid-member', 'households', 'household', 'shape'],
	['secretary', 'households', 'pdfExport', 'shape'],
	['grid-member', 'households', 'zipExport', 'not_permitted']
];

/** role × kind × permitted operation: another client receives it. */
const PERMITTED: [Role, Kind, OpName][] = [
	['secretary', 'directory', 'rename'],
	['secretary', 'directory', 'setting'],
	['secretary', 'tasks', 'createTask'],
	['grid-member', 'tasks', 'confirm'],
	['volunteer', 'tasks', 'claim'],
	['volunteer', 'tasks', 'tick'],
	['volunteer', 'tasks', 'patrolHours'],
	['grid-member', 'index', 'editField'],
	['secretary', 'index', 'addAttendee'],
	['grid-member', 'record', 'type'],
	['secretary', 'record', 'deleteText'],
	['grid-member', 'record', 'amend'],
	// The community ZIP's record in every register (issue 21).
	['secretary', 'households', 'zipExport']
];

type Refusal = { count: number; reason: string; path: string };

/** A stock y-websocket client on `token` that records the relay's 102 messages. */
async function probe(kind: Kind, token: string): Promise<TestClient & { refusals: Refusal[] }> {
	const client = connectClient(r.wsUrl, DOCS[kind], undefined, token);
	clients.push(client);
	const refusals: Refusal[] = [];
	client.provider.messageHandlers[MESSAGE_WRITES_REFUSED] = (_encoder, decoder) => {
		refusals.push({ count: decoding.readVarUint(decoder), reason: 'read_only', path: '' });
	};
	client.provider.messageHandlers[MESSAGE_UPDATE_REFUSED] = (_encoder, decoder) => {
		const count = decoding.readVarUint(decoder);
		refusals.push({
			count,
			reason: decoding.readVarString(decoder),
			path: decoding.readVarString(decoder)
		});
	};
	await waitFor(() => client.provider.synced, 5000, `${kind} synced`);
	return Object.assign(client, { refusals });
}

/** What the relay holds of a document, as a fresh reader syncs it. */
async function stored(kind: Kind): Promise<string> {
	const reader = await connectSynced(r.wsUrl, DOCS[kind], r.token);
	const state = Buffer.from(Y.encodeStateAsUpdate(reader.doc)).toString('base64');
	reader.destroy();
	return state;
}

beforeAll(async () => {
	r = await startTestRelay();
	const demo = await demoCommunity(r);
	members.secretary = demo.secretary;
	members['grid-member'] = await demo.join('grid-member', ['g1'], '王网格员', 'phone-wang');
	members.volunteer = await demo.join('volunteer', [], '赵志愿者', 'phone-zhao');
	members.observer = await demo.join('observer', [], '街道', 'phone-street');
	for (const kind of Object.keys(DOCS) as Kind[]) {
		const writer = await connectSynced(r.wsUrl, DOCS[kind], r.token);
		seed(kind, writer.doc);
		const reader = await connectSynced(r.wsUrl, DOCS[kind], r.token);
		await waitFor(
			() => Y.encodeStateVector(reader.doc).join() === Y.encodeStateVector(writer.doc).join(),
			5000,
			`${kind} seeded`
		);
		reader.destroy();
		writer.destroy();
	}
});

// Each probe's clients close with it (the relay limits a member's open connections).
afterEach(() => {
	for (const client of clients.splice(0)) client.destroy();
});

afterAll(async () => {
	await r.relay.close();
	removeDir(r.dataDir);
});

describe('write rules through the relay: forbidden operations', () => {
	it.each(FORBIDDEN)('%s × %s × %s → %s', async (role, kind, op, reason) => {
		const before = await stored(kind);
		const client = await probe(kind, members[role].token);
		OPS[op](client.doc, members[role]);
		await waitFor(() => client.refusals.length > 0, 5000, `102 for ${op}`);
		expect(client.refusals[0]).toMatchObject({ reason });
		expect(isWriteRefusal(client.refusals[0]?.reason)).toBe(true);
		expect(await stored(kind)).toBe(before);
		// The connection stays open.
		expect(client.provider.wsconnected).toBe(true);
	});
});

/**
 * role × kind the access matrix lets only read (docs/access.md): a write, even one the kind's
 * rules allow staff, is dropped before the rules (message 101).
 */
const READ_ONLY: [Role, Kind, OpName][] = [
	['grid-member', 'directory', 'rename'],
	['volunteer', 'directory', 'rename'],
	['observer', 'directory', 'rename'],
	['observer', 'tasks', 'claim'],
	['volunteer', 'index', 'editField'],
	['observer', 'index', 'editField'],
	['volunteer', 'record', 'type'],
	['observer', 'record', 'deleteText']
];

describe('write rules through the relay: read-only cells', () => {
	it.each(READ_ONLY)('%s × %s × %s → read only', async (role, kind, op) => {
		const before = await stored(kind);
		const client = await probe(kind, members[role].token);
		OPS[op](client.doc, members[role]);
		await waitFor(() => client.refusals.length > 0, 5000, `101 for ${op}`);
		expect(client.refusals[0]).toMatchObject({ reason: 'read_only' });
		expect(await stored(kind)).toBe(before);
	});
});

describe('write rules through the relay: permitted operations', () => {
	it.each(PERMITTED)('%s × %s × %s reaches another client', async (role, kind, op) => {
		const watcher = await probe(kind, members.secretary.token);
		const client = await probe(kind, members[role].token);
		OPS[op](client.doc, members[role]);
		const target = Y.encodeStateVector(client.doc);
		await waitFor(
			() => {
				const seen = Y.decodeStateVector(Y.encodeStateVector(watcher.doc));
				const wanted = Y.decodeStateVector(target);
				return [...wanted].every(([id, clock]) => (seen.get(id) ?? 0) >= clock);
			},
			5000,
			`${op} delivered`
		);
		expect(client.refusals).toEqual([]);
		expect(watcher.refusals).toEqual([]);
	});
});
