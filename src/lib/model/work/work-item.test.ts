import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { err, ok } from '../../domain/result';
import type { RankedClaim } from '../../domain/task-rules';
import type { PhotoInput } from '../case/photos';
import { acting, type TestMember } from '../testing/work-members';
import { createReplicaNetwork } from '../testing/replica-network';
import { listHours } from './service-hours';
import { findWorkRecord, readHistory } from './schema';
import {
	claimCommands,
	createWorkItem,
	rankedClaimsIn,
	readWorkItem,
	reportPhotos,
	workItemAct,
	workMember,
	type WorkItemKind
} from './work-item';

const T0 = Date.parse('2025-03-05T01:00:00Z');
const STAFF: TestMember = { memberId: 'm-s', name: '李书记', role: 'secretary', deviceId: 'p-s' };
const vol = (n: number): TestMember => ({
	memberId: `m-${n}`,
	name: `志愿者${n}`,
	role: 'volunteer',
	deviceId: `p-${n}`
});

/** A bare kind: two slots, anyone but an observer may act, `finish` credits the slot holders. */
type Facts = { claims: readonly RankedClaim[]; finished: boolean };
type Action = 'claim' | 'unclaim' | 'release' | 'finish';
const items = (doc: Y.Doc) => doc.getMap<unknown>('items');
const KIND: WorkItemKind<Facts, Action, string, 'not_allowed' | 'claim_not_found'> = {
	map: items,
	facts: (_record, history) => ({
		claims: rankedClaimsIn(history, 2),
		finished: history.some((entry) => entry.kind === 'finished')
	}),
	check: (facts, action, who, claimId) => {
		if (who.role === 'observer') return err('not_allowed');
		if (action === 'unclaim')
			return ok(facts.claims.find((c) => c.memberId === who.memberId) ?? null);
		if (action !== 'release') return ok(null);
		const claim = facts.claims.find((c) => c.id === claimId);
		return claim ? ok(claim) : err('claim_not_found');
	},
	refuse: (action, note) => (action === 'finish' && note === 'nope' ? 'not_allowed' : null),
	status: (facts) => (facts.finished ? 'finished' : `${facts.claims.length} claimed`),
	write: ({ facts, note, entry, credit }) => {
		entry('finished', { note });
		credit(
			facts.claims.filter((c) => c.standing === 'in_slot'),
			'task',
			'title'
		);
	}
};
const act = workItemAct(KIND, 'item_not_found');
const { claim, unclaim, release } = claimCommands(act);

function made(doc: Y.Doc): string {
	return createWorkItem(doc, items(doc), 'i', { title: '搬家', hours: 3 }, acting(STAFF, T0));
}

describe('work-item kernel', () => {
	it('creates a record stamped with when and by whom, and its first entry', () => {
		const doc = new Y.Doc();
		const id = made(doc);
		const record = findWorkRecord(items(doc), id)!;
		const history = readHistory(record);
		expect(readWorkItem(record, KIND.facts, () => ({}))).toMatchObject({
			id,
			createdAt: T0,
			createdBy: '李书记',
			hours: 3,
			deleted: false
		});
		expect(history.map((e) => [e.kind, e.memberId, e.deviceId])).toEqual([
			['created', 'm-s', 'p-s']
		]);
	});

	it('a refused act writes nothing', () => {
		const doc = new Y.Doc();
		const id = made(doc);
		let updates = 0;
		doc.on('update', () => updates++);
		expect(claim(doc, id, acting({ ...vol(1), role: 'observer' }))).toEqual(err('not_allowed'));
		expect(act(doc, id, 'finish', acting(STAFF), { note: 'nope' })).toEqual(err('not_allowed'));
		expect(act(doc, id, 'finish', acting(STAFF), { note: 'x'.repeat(2001) })).toEqual(
			err('note_too_long')
		);
		expect(claim(doc, 'missing', acting(vol(1)))).toEqual(err('item_not_found'));
		expect(release(doc, id, 'no-such-claim', acting(STAFF))).toEqual(err('claim_not_found'));
		expect(updates).toBe(0);
	});

	it('claims rank into slots; withdrawals and releases keep the claim in the history', () => {
		const doc = new Y.Doc();
		const id = made(doc);
		expect(claim(doc, id, acting(vol(1), T0 + 1))).toEqual(ok('1 claimed'));
		expect(claim(doc, id, acting(vol(2), T0 + 2))).toEqual(ok('2 claimed'));
		expect(claim(doc, id, acting(vol(3), T0 + 3))).toEqual(ok('3 claimed'));
		const record = findWorkRecord(items(doc), id)!;
		const ranked = rankedClaimsIn(readHistory(record), 2);
		expect(ranked.map((c) => c.standing)).toEqual(['in_slot', 'in_slot', 'over_claimed']);
		expect(unclaim(doc, id, acting(vol(1), T0 + 4))).toEqual(ok('2 claimed'));
		expect(release(doc, id, ranked[2]!.id, acting(STAFF, T0 + 5))).toEqual(ok('1 claimed'));
		const kinds = readHistory(record).map((e) => [e.kind, e.reason ?? null]);
		expect(kinds).toEqual([
			['created', null],
			['claim', null],
			['claim', null],
			['claim', null],
			['release', 'unclaim'],
			['release', 'release']
		]);
	});

	it("an act's own entries and hours land in one transaction", () => {
		const doc = new Y.Doc();
		const id = made(doc);
		claim(doc, id, acting(vol(1), T0 + 1));
		let transactions = 0;
		doc.on('afterTransaction', () => transactions++);
		expect(act(doc, id, 'finish', acting(STAFF, T0 + 2), { note: '完成' })).toEqual(ok('finished'));
		expect(transactions).toBe(1);
		expect(listHours(doc).map((h) => [h.memberId, h.hours, h.title, h.by])).toEqual([
			['m-1', 3, '搬家', '李书记']
		]);
	});

	it('two replicas claiming concurrently converge on the same slots', () => {
		const net = createReplicaNetwork(2);
		const [a, b] = net.docs;
		const id = made(a!);
		net.flush();
		claim(a!, id, acting(vol(1), T0 + 1));
		claim(b!, id, acting(vol(2), T0 + 1));
		net.flush();
		const standings = (doc: Y.Doc) =>
			rankedClaimsIn(readHistory(findWorkRecord(items(doc), id)!), 2).map((c) => c.memberId);
		expect(standings(a!)).toEqual(standings(b!));
		expect(standings(a!)).toHaveLength(2);
	});

	it('reads the member from the context and checks report photos', () => {
		expect(workMember(acting(vol(4)))).toEqual({ memberId: 'm-4', role: 'volunteer' });
		expect(reportPhotos(undefined)).toEqual(ok([]));
		const photo: PhotoInput = {
			hash: 'a'.repeat(64),
			mime: 'image/jpeg',
			width: 1,
			height: 1,
			bytes: 10
		};
		expect(reportPhotos([photo])).toEqual(ok([photo]));
		expect(reportPhotos([{ ...photo, hash: 'nope' }])).toEqual(err('bad_photo'));
	});
});
