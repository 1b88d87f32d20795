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
		{ ...BASE, kind: 'status', action: 'close', from: 'reported', to: 'resolved' },
		{ ...BASE, kind: 'conflict_resolved', field: 'title', to: 'a', discarded: [1] },
		{ ...BASE, by: undefined, kind: 'edited', field: 'title', from: 'a', to: 'b' }
	])('skips malformed or unknown entry %j', (raw) => {
		expect(parseTimelineEntry(raw)).toBeNull();
	});
});
