import { describe, expect, it } from 'vitest';
import {
	splitAssignees,
	validateAssignees,
	validateCaseField,
	validateCaseInput,
	validateComment,
	validateGridName
} from './case-input';

const VALID = { title: '楼道灯短路', category: 'public_facilities' } as const;

describe('validateCaseInput', () => {
	it.each([
		[{ ...VALID, title: '' }, 'title_required'],
		[{ ...VALID, title: ' \n\t ' }, 'title_required'],
		[{ ...VALID, title: '灯'.repeat(121) }, 'title_too_long'],
		[{ ...VALID, description: '楼'.repeat(5001) }, 'description_too_long'],
		[{ ...VALID, category: 'fireworks' }, 'category_invalid'],
		[{ ...VALID, category: '' }, 'category_invalid'],
		[{ ...VALID, location: '号'.repeat(201) }, 'location_too_long'],
		[{ ...VALID, title: '', category: 'nope' }, 'title_required']
	])('refuses %j with %s', (input, reason) => {
		expect(validateCaseInput(input)).toEqual({ ok: false, reason });
	});

	it('accepts the limits exactly, counting characters not UTF-16 units', () => {
		const result = validateCaseInput({
			title: '灯'.repeat(120),
			description: '𠀀'.repeat(5000),
			category: 'other',
			location: '号'.repeat(200)
		});
		expect(result.ok).toBe(true);
	});

	it('trims values and defaults optional fields', () => {
		expect(
			validateCaseInput({ title: '  消防通道被电动车堵塞 ', category: 'fire_safety' })
		).toEqual({
			ok: true,
			value: {
				title: '消防通道被电动车堵塞',
				description: '',
				category: 'fire_safety',
				channel: '',
				location: '',
				mapPoint: '',
				reporterName: '',
				residentContact: '',
				handlingType: 'supervised',
				priority: 'normal',
				assignees: '',
				deadline: null
			}
		});
		expect(
			validateCaseInput({
				title: '飞线充电',
				category: 'flying_wire',
				location: ' 3号楼2单元 ',
				description: '五楼窗口拉线给电动车充电\n'
			})
		).toEqual({
			ok: true,
			value: {
				title: '飞线充电',
				description: '五楼窗口拉线给电动车充电',
				category: 'flying_wire',
				channel: '',
				location: '3号楼2单元',
				mapPoint: '',
				reporterName: '',
				residentContact: '',
				handlingType: 'supervised',
				priority: 'normal',
				assignees: '',
				deadline: null
			}
		});
	});
});

describe('validateCaseField', () => {
	it.each([
		['title', ' 地下车库噪音 ', { ok: true, value: '地下车库噪音' }],
		['title', '', { ok: false, reason: 'title_required' }],
		['description', '', { ok: true, value: '' }],
		['category', 'noise', { ok: true, value: 'noise' }],
		['category', 'Noise', { ok: false, reason: 'category_invalid' }],
		['location', '', { ok: true, value: '' }]
	] as const)('%s = %j → %j', (field, value, expected) => {
		expect(validateCaseField(field, value)).toEqual(expected);
	});
});

describe('validateGridName', () => {
	it.each([
		['第三网格', { ok: true, value: '第三网格' }],
		['  育城社区第1网格 ', { ok: true, value: '育城社区第1网格' }],
		['', { ok: false, reason: 'name_required' }],
		['   ', { ok: false, reason: 'name_required' }],
		['格'.repeat(40), { ok: true, value: '格'.repeat(40) }],
		['格'.repeat(41), { ok: false, reason: 'name_too_long' }]
	])('%j → %j', (name, expected) => {
		expect(validateGridName(name)).toEqual(expected);
	});
});

describe('the ledger fields', () => {
	it.each([
		[{ channel: 'patrol' }, true],
		[{ channel: 'telegram' }, 'channel_invalid'],
		[{ mapPoint: '116.397,39.909' }, true],
		[{ mapPoint: '200,39' }, 'map_point_invalid'],
		[{ mapPoint: 'here' }, 'map_point_invalid'],
		[{ reporterName: '名'.repeat(41) }, 'reporter_name_too_long'],
		[{ residentContact: '1'.repeat(101) }, 'resident_contact_too_long'],
		[{ handlingType: 'law_enforcement' }, true],
		[{ handlingType: 'ignore' }, 'handling_type_invalid'],
		[{ priority: 'urgent' }, true],
		[{ priority: 'p0' }, 'priority_invalid'],
		[{ deadline: 1_700_000_000_000 }, true],
		[{ deadline: -1 }, 'deadline_invalid'],
		[{ category: 'cat-abcd1234' }, true],
		[{ category: 'cat-A' }, 'category_invalid'],
		[{ assignees: ['王', '李'] }, true],
		[{ assignees: ['王,李'] }, 'assignee_invalid'],
		[{ assignees: Array.from({ length: 11 }, (_, i) => `人${i}`) }, 'too_many_assignees']
	] as const)('%j → %s', (extra, expected) => {
		const result = validateCaseInput({ ...VALID, ...extra });
		expect(result.ok ? true : result.reason).toBe(expected);
	});

	it('assignees are trimmed, de-duplicated, sorted and joined', () => {
		expect(validateAssignees([' 王 ', '李', '王'])).toEqual({ ok: true, value: '李,王' });
		expect(splitAssignees('李,王')).toEqual(['李', '王']);
		expect(splitAssignees('')).toEqual([]);
	});

	it('comments are trimmed and limited', () => {
		expect(validateComment('  已联系物业 ')).toEqual({ ok: true, value: '已联系物业' });
		expect(validateComment(' ')).toEqual({ ok: false, reason: 'comment_required' });
		expect(validateComment('字'.repeat(2001))).toEqual({ ok: false, reason: 'comment_too_long' });
	});
});
