/**
 * A board for write-rule probes (write-rules.test.ts, write-rules-fuzz.test.ts,
 * attestation.test.ts): real members of community `demo` (secretary, grid member of g1, grid
 * member of g2, volunteer, observer) with real member tokens, stock y-websocket clients that
 * record the relay's refusals (messages 101 and 102), and the board's raw Yjs shapes written by
 * hand (src/lib/model/case/schema.ts; relay tests cannot import the model).
 *
 * Invariant: test-only; nothing here mocks the relay: every probe goes through a real socket.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import {
	createInvite,
	createInviteAsync,
	issueToken,
	issueTokenAsync,
	redeem,
	redeemAsync,
	type NewInvite
} from './identity.ts';
import { encodeSyncUpdate } from './protocol.ts';
import { connectClient, waitFor, type TestClient, type TestRelay } from './test-helpers.ts';
import { KeyRing } from './tokens.ts';
import { isWriteRefusal, type Role } from '../src/lib/wire/index.ts';

export const BOARD = 'c/demo/board/g1';

export type Member = Readonly<{ role: Role; name: string; memberId: string; token: string }>;

export type Members = Readonly<{
	secretary: Member;
	gridMember: Member;
	otherGridMember: Member;
	volunteer: Member;
	observer: Member;
}>;

function join(r: TestRelay, code: string, name: string, role: Role): Member {
	const joined = redeem(r.relay.identity, code, name, `${role}-device`);
	if (!joined.ok) throw new Error(`join failed: ${joined.reason}`);
	const issued = issueToken(r.relay.identity, new KeyRing(r.dataDir), joined.credential, 3600);
	if (!issued.ok) throw new Error(`token failed: ${issued.reason}`);
	return { role, name, memberId: joined.member.id, token: issued.token };
}

/** The members beside the secretary: name, role, grids. */
const ROSTER: Record<Exclude<keyof Members, 'secretary'>, [string, Role, string[]]> = {
	gridMember: ['李网格', 'grid-member', ['g1']],
	otherGridMember: ['赵网格', 'grid-member', ['g2']],
	volunteer: ['张志愿', 'volunteer', []],
	observer: ['陈观察', 'observer', []]
};

function inviteFor(secretary: Member, role: Role, grids: string[]): NewInvite {
	const expiresAt = Date.now() + 3600_000;
	return { communityId: 'demo', role, grids, expiresAt, maxUses: 1, createdBy: secretary.memberId };
}

/** Creates community `demo` and one member of each kind the probes need (embedded relay). */
export function createMembers(r: TestRelay): Members {
	const created = r.relay.createCommunity('示例社区', 'demo');
	const secretary = join(r, created.inviteCode, '王书记', 'secretary');
	const [gridMember, otherGridMember, volunteer, observer] = Object.values(ROSTER).map(
		([name, role, grids]) =>
			join(r, createInvite(r.relay.identity, inviteFor(secretary, role, grids)).code, name, role)
	);
	return {
		secretary,
		gridMember: gridMember!,
		otherGridMember: otherGridMember!,
		volunteer: volunteer!,
		observer: observer!
	};
}

/**
 * `createMembers` through the relay's shared identity (`relay.sharedIdentity`): works on a
 * cluster relay too, where communities and members live in PostgreSQL and hold on every relay.
 */
export async function createSharedMembers(r: TestRelay): Promise<Members> {
	const identity = r.relay.sharedIdentity;
	const keys = new KeyRing(r.dataDir);
	const joinShared = async (code: string, name: string, role: Role): Promise<Member> => {
		const joined = await redeemAsync(identity, code, name, `${role}-device`);
		if (!joined.ok) throw new Error(`join failed: ${joined.reason}`);
		const issued = await issueTokenAsync(identity, keys, joined.credential, 3600);
		if (!issued.ok) throw new Error(`token failed: ${issued.reason}`);
		return { role, name, memberId: joined.member.id, token: issued.token };
	};
	const created = await r.relay.createCommunityAsync('示例社区', 'demo');
	const secretary = await joinShared(created.inviteCode, '王书记', 'secretary');
	const others: Member[] = [];
	for (const [name, role, grids] of Object.values(ROSTER)) {
		const { code } = await createInviteAsync(identity, inviteFor(secretary, role, grids));
		others.push(await joinShared(code, name, role));
	}
	const [gridMember, otherGridMember, volunteer, observer] = others;
	return {
		secretary,
		gridMember: gridMember!,
		otherGridMember: otherGridMember!,
		volunteer: volunteer!,
		observer: observer!
	};
}

export type Refusal = Readonly<{ count: number; reason: string; path: string }>;

export type ProbeClient = TestClient & {
	/** Messages 102 received, decoded. */
	refusals: Refusal[];
	/** Counts of messages 101 received. */
	writesRefused: number[];
	/** Close codes of this client's connection. */
	closes: number[];
	/** Sync step 1 messages received from the relay (it asks for what it lacks). */
	syncStep1s: () => number;
	/** Sends a raw update as a sync update message over the provider's socket. */
	sendUpdate(update: Uint8Array): void;
};

/** A stock y-websocket client of `doc` with `token`, recording refusals; resolves once synced. */
export async function probeClient(
	r: TestRelay,
	token: string,
	doc = new Y.Doc(),
	docName = BOARD
): Promise<ProbeClient> {
	const client = connectClient(r.wsUrl, docName, doc, token);
	const refusals: Refusal[] = [];
	const writesRefused: number[] = [];
	const closes: number[] = [];
	client.provider.messageHandlers[102] = (_encoder, decoder: decoding.Decoder) => {
		const count = decoding.readVarUint(decoder);
		const reason = decoding.readVarString(decoder);
		const path = decoding.readVarString(decoder);
		// A reason outside the contract would fail every expectation on it.
		refusals.push({ count, reason: isWriteRefusal(reason) ? reason : `unknown: ${reason}`, path });
	};
	client.provider.messageHandlers[101] = (_encoder, decoder: decoding.Decoder) => {
		writesRefused.push(decoding.readVarUint(decoder));
	};
	let syncStep1s = 0;
	const syncHandler = client.provider.messageHandlers[0]!;
	client.provider.messageHandlers[0] = (encoder, decoder, provider, emitSynced, type) => {
		if (decoding.peekVarUint(decoder) === 0) syncStep1s++;
		syncHandler(encoder, decoder, provider, emitSynced, type);
	};
	client.provider.on('connection-close', (event) => {
		if (event) closes.push(event.code);
	});
	await waitFor(() => client.provider.synced, 5000, `${docName} synced`);
	return Object.assign(client, {
		refusals,
		writesRefused,
		closes,
		syncStep1s: () => syncStep1s,
		sendUpdate(update: Uint8Array) {
			client.provider.ws?.send(encodeSyncUpdate(update) as Uint8Array<ArrayBuffer>);
		}
	});
}

// ---- The board's raw shapes -------------------------------------------------------------------

let nextId = 0;
/** A fresh entry id (ids are valid id segments). */
export function entryId(prefix = 'e'): string {
	return `${prefix}${Date.now().toString(36)}${(nextId++).toString(36)}`;
}

export function casesOf(doc: Y.Doc): Y.Map<unknown> {
	return doc.getMap<unknown>('cases');
}

export function caseOf(doc: Y.Doc, caseId: string): Y.Map<unknown> {
	const found = casesOf(doc).get(caseId);
	if (!(found instanceof Y.Map)) throw new Error(`no case ${caseId}`);
	return found as Y.Map<unknown>;
}

export function timelineOf(doc: Y.Doc, caseId: string): Y.Array<unknown> {
	return caseOf(doc, caseId).get('timeline') as Y.Array<unknown>;
}

export function fieldsOf(doc: Y.Doc, caseId: string): Y.Map<unknown> {
	return caseOf(doc, caseId).get('fields') as Y.Map<unknown>;
}

/** A timeline entry of `kind` by `by`, with the kind's own fields in `extra`. */
export function entry(kind: string, by: string, extra: Record<string, unknown> = {}) {
	return { id: entryId(), kind, at: Date.now(), by, deviceId: 'probe-device', ...extra };
}

/** A field-log edit setting `value`. */
export function fieldEdit(value: unknown, by: string, extra: Record<string, unknown> = {}) {
	return {
		id: entryId(),
		value,
		bases: [],
		by,
		deviceId: 'probe-device',
		at: Date.now(),
		...extra
	};
}

/** Appends an edit to this client's own slot of `field` (creating the slot). */
export function pushEdit(doc: Y.Doc, caseId: string, field: string, edit: unknown): void {
	const fields = fieldsOf(doc, caseId);
	const key = `${field}~${doc.clientID}`;
	let log = fields.get(key) as Y.Array<unknown> | undefined;
	doc.transact(() => {
		if (!(log instanceof Y.Array)) {
			log = new Y.Array<unknown>();
			fields.set(key, log);
		}
		log.push([edit]);
	});
}

/** Writes a case as `createCase` lays it out: initial values, fields, a `created` entry. */
export function writeCase(
	doc: Y.Doc,
	caseId: string,
	by: string,
	values: Record<string, unknown> = { title: '楼道漏水', category: 'other' }
): void {
	const created = entry('created', by, {
		title: String(values.title ?? ''),
		category: 'other',
		status: 'reported'
	});
	doc.transact(() => {
		const map = new Y.Map<unknown>();
		casesOf(doc).set(caseId, map);
		map.set('initial', { id: created.id, by, deviceId: 'probe-device', at: created.at, values });
		map.set('fields', new Y.Map());
		const timeline = new Y.Array<unknown>();
		map.set('timeline', timeline);
		timeline.push([created]);
	});
}

/**
 * A case as staff leave it: created, accepted (a status edit and its timeline entry), assigned,
 * with a deadline, a receipt and a photo: everything a probe may try to change or remove.
 */
export function writeStaffCase(doc: Y.Doc, caseId: string, by: string): void {
	writeCase(doc, caseId, by);
	doc.transact(() => {
		pushEdit(doc, caseId, 'status', fieldEdit('accepted', by));
		pushEdit(doc, caseId, 'assignees', fieldEdit('李网格', by));
		pushEdit(doc, caseId, 'deadline', fieldEdit(Date.UTC(2027, 0, 1), by));
		const timeline = timelineOf(doc, caseId);
		timeline.push([
			entry('status', by, { action: 'accept', from: 'reported', to: 'accepted' }),
			entry('assigned', by, { from: [], to: ['李网格'] })
		]);
		const map = caseOf(doc, caseId);
		const receipts = new Y.Map<unknown>();
		map.set(`receipts~${doc.clientID}`, receipts);
		receipts.set(String((timeline.get(0) as { id: string }).id), Date.now());
		const photos = new Y.Array<unknown>();
		map.set(`photos~${doc.clientID}`, photos);
		photos.push([{ hash: 'a'.repeat(64), addedBy: by, at: Date.now() }]);
	});
}

/** The struct count per client of an update: who wrote what. */
export function clientsOf(update: Uint8Array): Set<number> {
	return new Set(Y.decodeUpdate(update).structs.map((s) => s.id.client));
}

/** A document holding exactly what the relay sent a fresh client. */
export function stateVectorOf(doc: Y.Doc): Map<number, number> {
	return Y.decodeStateVector(Y.encodeStateVector(doc));
}

/**
 * `count` comments by `by`, each its own struct of client `client` inserted after the one
 * before (as an offline device's pushes arrive when nothing merges them), the first at the
 * start of the array whose type item is `parent`.
 */
export function commentChain(client: number, parent: Y.ID, count: number, by: string): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, 1);
	encoding.writeVarUint(encoder, count);
	encoding.writeVarUint(encoder, client);
	encoding.writeVarUint(encoder, 0);
	for (let i = 0; i < count; i++) {
		if (i === 0) {
			encoding.writeUint8(encoder, 8); // ContentAny, parent named
			encoding.writeVarUint(encoder, 0); // the parent is a type item, by id
			encoding.writeVarUint(encoder, parent.client);
			encoding.writeVarUint(encoder, parent.clock);
		} else {
			encoding.writeUint8(encoder, 0x80 | 8); // ContentAny, right of its origin
			encoding.writeVarUint(encoder, client);
			encoding.writeVarUint(encoder, i - 1);
		}
		encoding.writeVarUint(encoder, 1);
		encoding.writeAny(encoder, {
			id: `c${i}`,
			kind: 'comment',
			at: 1,
			by,
			deviceId: 'd',
			text: ''
		});
	}
	encoding.writeVarUint(encoder, 0);
	return encoding.toUint8Array(encoder);
}
