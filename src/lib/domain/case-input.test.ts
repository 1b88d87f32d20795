import { describe, expect, it } from 'vitest';
import { validateCaseField, validateCaseInput, validateGridName } from './case-input';

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

	it('trims values and defaults optional fields to empty strings', () => {
		expect(
			validateCaseInput({ title: '  消防通道被电动车堵塞 ', category: 'fire_safety' })
		).toEqual({
			ok: true,
			value: {
				title: '消防通道被电动车堵塞',
				description: '',
				category: 'fire_safety',
				location: ''
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
				location: '3号楼2单元'
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
