import { describe, expect, it } from 'vitest';
import { parseTimelineEntry } from './case-timeline';

const BASE = { id: 'e1', at: 1000, by: '王网格员', deviceId: 'phone-1' };

describe('parseTimelineEntry', () => {
	it.each([
		{
			...BASE,
			kind: 'created',
			title: '楼道灯短路',
			category: 'public_facilities',
			status: 'reported'
		},
		{ ...BASE, kind: 'edited', field: 'location', from: '', to: '3号楼2单元' },
		{ ...BASE, kind: 'status', action: 'resolve', from: 'reported', to: 'resolved' },
		{
			...BASE,
			kind: 'conflict_resolved',
			field: 'title',
			to: '飞线充电',
			discarded: ['私拉电线']
		}
	])('reads a well-formed $kind entry as a frozen copy', (raw) => {
		const entry = parseTimelineEntry(raw);
		expect(entry).toEqual(raw);
		expect(entry).not.toBe(raw);
		expect(Object.isFrozen(entry)).toBe(true);
	});

	it.each([
		null,
		'edited',
		[],
		{ ...BASE, kind: 'escalated', tier: 'street' },
		{ ...BASE, id: 'Bad Id', kind: 'edited', field: 'title', from: 'a', to: 'b' },
		{ ...BASE, at: Number.NaN, kind: 'edited', field: 'title', from: 'a', to: 'b' },
		{ ...BASE, kind: 'edited', field: 'status', from: 'reported', to: 'resolved' },
		{ ...BASE, kind: 'status', action: 'archive', from: 'reported', to: 'resolved' },
		{ ...BASE, kind: 'conflict_resolved', field: 'title', to: 'a', discarded: [1] },
		{ ...BASE, by: undefined, kind: 'edited', field: 'title', from: 'a', to: 'b' }
	])('skips malformed or unknown entry %j', (raw) => {
		expect(parseTimelineEntry(raw)).toBeNull();
	});
});

describe('the ledger entry kinds', () => {
	it.each([
		{ ...BASE, kind: 'tier', action: 'escalate', from: 'grid', to: 'community', reason: '跨部门' },
		{ ...BASE, kind: 'assigned', from: [], to: ['王网格员'] },
		{ ...BASE, kind: 'comment', text: '已联系物业' },
		{ ...BASE, kind: 'photo_added', hash: 'a'.repeat(64) },
		{ ...BASE, kind: 'deadline', from: null, to: 1_700_000_000_000 },
		{
			...BASE,
			kind: 'status',
			action: 'review',
			from: 'resolved',
			to: 'reviewed',
			satisfaction: 'basically_satisfied',
			note: '灯亮了'
		},
		{
			...BASE,
			kind: 'status',
			action: 'mark_duplicate',
			from: 'reported',
			to: 'duplicate',
			duplicateOf: 'case-1'
		}
	])('reads a well-formed $kind entry', (raw) => {
		expect(parseTimelineEntry(raw)).toEqual(raw);
	});

	it.each([
		{ ...BASE, kind: 'tier', action: 'jump', from: 'grid', to: 'street', reason: 'x' },
		{ ...BASE, kind: 'tier', action: 'escalate', from: 'grid', to: 'community' },
		{ ...BASE, kind: 'assigned', from: [], to: [1] },
		{ ...BASE, kind: 'comment', text: 3 },
		{ ...BASE, kind: 'photo_added', hash: 'not-a-hash' },
		{ ...BASE, kind: 'deadline', from: null, to: 'tomorrow' },
		{
			...BASE,
			kind: 'status',
			action: 'review',
			from: 'resolved',
			to: 'reviewed',
			satisfaction: 'meh'
		}
	])('skips malformed $kind entry', (raw) => {
		expect(parseTimelineEntry(raw)).toBeNull();
	});
});
