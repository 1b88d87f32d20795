import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { readCase } from '$lib/model/case';
import { CORRIDOR_LIGHT } from '$lib/model/testing/fixtures';
import { emptyDraft } from './case-draft';
import { reportCase, reportOffer } from './report';

const ZONE = 'Asia/Shanghai';
const draft = {
	...emptyDraft(),
	title: CORRIDOR_LIGHT.title,
	category: 'public_facilities' as const
};

function member(role: string, grids: string[] = ['g1']) {
	return {
		actor: { name: '王网格员', deviceId: `phone-${role}` },
		claims: { cid: 'demo', role, grids },
		membership: null
	} as unknown as Parameters<typeof reportCase>[2];
}

describe('reporting a case', () => {
	it("a volunteer's form has no triage fields or deadline, and a typed day is not written", () => {
		const volunteer = member('volunteer', []);
		expect(reportOffer(volunteer, 'g1')).toEqual({
			staffFields: false,
			defaultChannel: 'patrol',
			canWrite: true,
			canSetDeadline: false
		});
		const doc = new Y.Doc();
		const created = reportCase(doc, 'g1', volunteer, draft, '2099-03-05', ZONE);
		if (!created.ok) throw new Error(created.reason);
		expect(readCase(doc, created.value)?.fields.deadline.value).toBeNull();
	});

	it("a grid member's due day is the end of that day in the community's zone", () => {
		const doc = new Y.Doc();
		const created = reportCase(doc, 'g1', member('grid-member'), draft, '2099-03-05', ZONE);
		if (!created.ok) throw new Error(created.reason);
		expect(readCase(doc, created.value)?.fields.deadline.value).toBe(
			Date.UTC(2099, 2, 5, 15, 59, 59, 999)
		);
	});

	it("another grid's member may not report here, and nothing is written", () => {
		const doc = new Y.Doc();
		const outsider = member('grid-member', ['g2']);
		expect(reportOffer(outsider, 'g1').canWrite).toBe(false);
		const before = Y.encodeStateVector(doc);
		expect(reportCase(doc, 'g1', outsider, draft, '', ZONE)).toEqual({
			ok: false,
			reason: 'not_permitted'
		});
		expect(Y.encodeStateVector(doc)).toEqual(before);
	});
});
