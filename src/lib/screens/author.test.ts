import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { authorView, type AuthorView, type SignedEntry, type Viewer } from './author';
import { addCaseComment, createCase, readCase, type Authorship } from '$lib/model/case';
import {
	CORRIDOR_LIGHT,
	created,
	VOLUNTEER as VOLUNTEER_AUTHORITY
} from '$lib/model/testing/fixtures';

const ROSTER = [
	{ id: 'm-wang', displayName: '王秘书' },
	{ id: 'm-li', displayName: '李志愿' }
];
const STAFF: Viewer = {
	deviceId: 'dev-here',
	memberId: 'm-wang',
	displayName: '王秘书',
	roster: ROSTER
};
const VOLUNTEER: Viewer = { ...STAFF, memberId: 'm-li', displayName: '李志愿', roster: null };

const by = (memberId: string): Authorship => ({ kind: 'attested', memberId });
const NONE: Authorship = { kind: 'unattested' };
const li: SignedEntry = { by: '李志愿', deviceId: 'dev-li' };

const cases: [string, SignedEntry, Authorship | undefined, Viewer, AuthorView][] = [
	['attested, name agrees', li, by('m-li'), STAFF, { kind: 'confirmed', name: '李志愿' }],
	[
		'attested to another member than the name signed',
		{ by: '王秘书', deviceId: 'dev-li' },
		by('m-li'),
		STAFF,
		{ kind: 'mismatch', signed: '王秘书', sender: '李志愿' }
	],
	[
		'attested to the viewer, named from their own membership',
		{ by: '李志愿', deviceId: 'dev-here' },
		by('m-li'),
		VOLUNTEER,
		{ kind: 'confirmed', name: '李志愿' }
	],
	[
		'attested to the viewer under another name',
		{ by: '王秘书', deviceId: 'dev-here' },
		by('m-li'),
		VOLUNTEER,
		{ kind: 'mismatch', signed: '王秘书', sender: '李志愿' }
	],
	[
		'attested to a member this device cannot name: the relay checked the name',
		{ by: '王秘书', deviceId: 'dev-wang' },
		by('m-wang'),
		VOLUNTEER,
		{ kind: 'confirmed', name: '王秘书' }
	],
	[
		'entry names a member id other than the attested one (no roster)',
		{ by: '王秘书', deviceId: 'dev-li', memberId: 'm-wang' },
		by('m-zhao'),
		VOLUNTEER,
		{ kind: 'mismatch', signed: '王秘书', sender: null }
	],
	[
		'entry member id agrees',
		{ by: '李志愿', deviceId: 'dev-li', memberId: 'm-li' },
		by('m-li'),
		STAFF,
		{ kind: 'confirmed', name: '李志愿' }
	],
	['unattested from another device', li, NONE, STAFF, { kind: 'unverified', signed: '李志愿' }],
	['no authorship read at all', li, undefined, STAFF, { kind: 'unverified', signed: '李志愿' }],
	[
		'unattested from this device: pending',
		{ by: '王秘书', deviceId: 'dev-here' },
		NONE,
		STAFF,
		{ kind: 'pending', name: '王秘书' }
	],
	[
		'unattested without a device id is not this device',
		{ by: '王秘书', deviceId: '' },
		NONE,
		{ ...STAFF, deviceId: '' },
		{ kind: 'unverified', signed: '王秘书' }
	]
];

describe('authorView', () => {
	it.each(cases)('%s', (_name, entry, authorship, viewer, expected) => {
		expect(authorView(entry, authorship, viewer)).toEqual(expected);
	});
});

describe('a board whose entries the relay attested', () => {
	const replica = (clientID: number) => {
		const doc = new Y.Doc();
		doc.clientID = clientID;
		return doc;
	};
	const sync = (from: Y.Doc, to: Y.Doc) => Y.applyUpdate(to, Y.encodeStateAsUpdate(from));
	const as = (name: string, deviceId: string) => ({
		actor: { name, deviceId },
		authority: VOLUNTEER_AUTHORITY,
		at: 1_780_000_000_000
	});

	it("shows a comment signed with another member's name as sent by its real sender", () => {
		// 李志愿's phone reports a case and comments honestly, then writes a comment signed 王秘书.
		const phone = replica(4242);
		const caseId = created(createCase(phone, CORRIDOR_LIGHT, as('李志愿', 'dev-li')));
		const honest = addCaseComment(phone, caseId, '灯还是不亮', as('李志愿', 'dev-li'));
		const forged = addCaseComment(phone, caseId, '已处理', as('王秘书', 'dev-li'));
		// An old phone's comment, from before attestation, and the relay's attestation of 4242.
		const old = replica(77);
		sync(phone, old);
		const legacy = addCaseComment(old, caseId, '以前的记录', as('张老', 'dev-old'));
		const relay = replica(1);
		sync(phone, relay);
		sync(old, relay);
		relay.getMap('attest').set('4242', { member: 'm-li', from: 0 });
		const board = replica(9);
		sync(relay, board);
		if (!honest.ok || !forged.ok || !legacy.ok) throw new Error('comment refused');

		const item = readCase(board, caseId)!;
		const shown = (entryId: string) => {
			const entry = item.timeline.find((e) => e.id === entryId)!;
			return authorView(entry, item.authorship[entryId], STAFF);
		};
		expect(shown(honest.value)).toEqual({ kind: 'confirmed', name: '李志愿' });
		expect(shown(forged.value)).toEqual({ kind: 'mismatch', signed: '王秘书', sender: '李志愿' });
		expect(shown(legacy.value)).toEqual({ kind: 'unverified', signed: '张老' });
	});
});
