import { describe, expect, it } from 'vitest';
import {
	COLOUR_RANK,
	DEFAULT_VISIT_PLAN,
	HOUSEHOLD_COLOURS,
	VISIT_TEXT_MAX,
	addressKey,
	birthYearOfIdNumber,
	idCheckCharacter,
	isHouseholdColour,
	isResidentRelation,
	isResidentTag,
	isVisitInterval,
	maskIdNumber,
	maskPhone,
	normaliseText,
	parseAddress,
	parseBirthYear,
	parseBoundedText,
	parseIdNumber,
	parsePhone,
	visitDue,
	type HouseholdAddress
} from './household';

const TODAY = new Date('2026-06-01T00:00:00Z');

describe('normaliseText', () => {
	it('folds full-width letters, digits and the ideographic space; collapses and trims spaces', () => {
		expect(normaliseText('　ＡＢＣ１２３　３栋  ２单元 ')).toBe('ABC123 3栋 2单元');
		expect(normaliseText('＋８６－１３８')).toBe('+86-138');
		expect(normaliseText('ｉｄ＠ａ．ｃｎ ３／２ ＃５ ａ＿ｂ')).toBe('id@a.cn 3/2 #5 a_b');
	});

	it('keeps Chinese punctuation in prose as typed', () => {
		expect(normaliseText('腿脚不便，需照顾；电话：１３８（晚上）！')).toBe(
			'腿脚不便，需照顾；电话：138（晚上）！'
		);
	});

	it('bounded text counts code points, not UTF-16 units', () => {
		expect(parseBoundedText('😀😀', 2)).toEqual({ ok: true, value: '😀😀' });
		expect(parseBoundedText('😀😀😀', 2)).toEqual({ ok: false, reason: 'too_long' });
		expect(parseBoundedText('  ', 5, true)).toEqual({ ok: false, reason: 'required' });
		expect(parseBoundedText('  ', 5)).toEqual({ ok: true, value: '' });
		expect(parseBoundedText('访'.repeat(VISIT_TEXT_MAX), VISIT_TEXT_MAX).ok).toBe(true);
		expect(parseBoundedText('访'.repeat(VISIT_TEXT_MAX + 1), VISIT_TEXT_MAX).ok).toBe(false);
	});
});

describe('ID numbers (GB 11643)', () => {
	it('real numbers with a digit or an X check character pass, normalised', () => {
		expect(parseIdNumber('11010519491231002X', TODAY)).toEqual({
			ok: true,
			value: '11010519491231002X'
		});
		expect(parseIdNumber('11010519491231002x', TODAY)).toEqual({
			ok: true,
			value: '11010519491231002X'
		});
		expect(parseIdNumber(' 330102 19520308 0045 ', TODAY)).toEqual({
			ok: true,
			value: '330102195203080045'
		});
		expect(parseIdNumber('３３０１０６１９８００１１５１５２９', TODAY)).toEqual({
			ok: true,
			value: '330106198001151529'
		});
		expect(idCheckCharacter('11010519491231002')).toBe('X');
		expect(idCheckCharacter('33010219520308004')).toBe('5');
	});

	it('empty is allowed and stays empty', () => {
		expect(parseIdNumber('  ', TODAY)).toEqual({ ok: true, value: '' });
	});

	it('a wrong check digit is refused', () => {
		expect(parseIdNumber('110105194912310021', TODAY)).toEqual({
			ok: false,
			reason: 'id_check_digit'
		});
		expect(parseIdNumber('330102195203080046', TODAY)).toEqual({
			ok: false,
			reason: 'id_check_digit'
		});
	});

	it('an impossible or future birth date is refused before the check digit', () => {
		// 30 February, 13th month, 1899, and a birth after today.
		for (const id of ['330102195202300045', '330102195213010045', '330102189901010045'])
			expect(parseIdNumber(id, TODAY)).toEqual({ ok: false, reason: 'id_birth_date' });
		const tomorrow = `33010220260602001${idCheckCharacter('33010220260602001')}`;
		expect(parseIdNumber(tomorrow, TODAY)).toEqual({ ok: false, reason: 'id_birth_date' });
		const today = `33010220260601001${idCheckCharacter('33010220260601001')}`;
		expect(parseIdNumber(today, TODAY).ok).toBe(true);
	});

	it('anything but 17 digits and a digit or X is a format error', () => {
		for (const id of [
			'33010219520308004',
			'3301021952030800451',
			'33010219520308004Y',
			'110105491231002'
		])
			expect(parseIdNumber(id, TODAY)).toEqual({ ok: false, reason: 'id_format' });
	});

	it('the birth year it carries', () => {
		expect(birthYearOfIdNumber('11010519491231002X')).toBe(1949);
		expect(birthYearOfIdNumber('')).toBeNull();
	});
});

describe('phone numbers', () => {
	it.each([
		['13812345678', '13812345678'],
		['138 1234 5678', '13812345678'],
		['138-1234-5678', '13812345678'],
		['+86 138 1234 5678', '13812345678'],
		['+86-13812345678', '13812345678'],
		['8613812345678', '13812345678'],
		['0086 138 1234 5678', '13812345678'],
		['＋８６　１３８１２３４５６７８', '13812345678'],
		['0571-88123456', '0571-88123456'],
		['057188123456', '0571-88123456'],
		['(0571) 88123456', '0571-88123456'],
		['（0571）88123456', '0571-88123456'],
		['010-1234567', '010-1234567'],
		['0571-88123456-123', '0571-88123456-123'],
		['0571-88123456转123', '0571-88123456-123'],
		['0571 88123456 ext.12', '0571-88123456-12'],
		['', '']
	])('%s → %s', (raw, value) => {
		expect(parsePhone(raw)).toEqual({ ok: true, value });
	});

	it.each(['12345', '12812345678', '1381234567', '138123456789', '571-88123456', 'phone'])(
		'%s is refused',
		(raw) => {
			expect(parsePhone(raw)).toEqual({ ok: false, reason: 'phone_format' });
		}
	);
});

describe('birth years', () => {
	it('a year, with or without 年; empty is none', () => {
		expect(parseBirthYear('1950', TODAY)).toEqual({ ok: true, value: 1950 });
		expect(parseBirthYear(1950, TODAY)).toEqual({ ok: true, value: 1950 });
		expect(parseBirthYear('１９５０年', TODAY)).toEqual({ ok: true, value: 1950 });
		expect(parseBirthYear('', TODAY)).toEqual({ ok: true, value: null });
		expect(parseBirthYear('2026', TODAY)).toEqual({ ok: true, value: 2026 });
	});

	it.each(['1899', '2027', '19.5', 'abc'])('%s is refused', (raw) => {
		expect(parseBirthYear(raw, TODAY)).toEqual({ ok: false, reason: 'birth_year' });
	});
});

describe('masking', () => {
	it('an ID number keeps its region and its last four', () => {
		expect(maskIdNumber('11010519491231002X')).toBe('110105********002X');
		expect(maskIdNumber('')).toBe('');
		expect(maskIdNumber('12345')).toBe('*****');
	});

	it('a mobile keeps 3 + 4 digits, a landline its area code and last four', () => {
		expect(maskPhone('13812345678')).toBe('138****5678');
		expect(maskPhone('0571-88123456')).toBe('0571-****3456');
		expect(maskPhone('010-1234567')).toBe('010-***4567');
		expect(maskPhone('0571-88123456-123')).toBe('0571-****3456-123');
		expect(maskPhone('')).toBe('');
		expect(maskPhone('123')).toBe('***');
		expect(maskPhone('12345')).toBe('*2345');
	});
});

describe('addresses', () => {
	const at = (
		compound: string,
		building: string,
		unit: string,
		room: string
	): HouseholdAddress => ({
		compound,
		building,
		unit,
		room
	});

	it('one household however its address is spelt', () => {
		const key = addressKey(at('阳光小区', '3号楼', '2单元', '301室'));
		for (const spelling of [
			at('阳光小区', '3栋', '2', '301'),
			at(' 阳光 小区 ', '３幢', '２单元', '３０１号'),
			at('阳光小区', '3楼', '2单元', '301')
		])
			expect(addressKey(spelling)).toBe(key);
		expect(addressKey(at('', 'A栋', '', '101'))).toBe(addressKey(at('', 'a', '', '101室')));
	});

	it('different places stay different', () => {
		const key = addressKey(at('阳光小区', '3栋', '2单元', '301'));
		for (const other of [
			at('阳光小区', '3栋', '2单元', '302'),
			at('阳光小区', '3栋', '1单元', '301'),
			at('阳光小区', '13栋', '2单元', '301'),
			at('幸福家园', '3栋', '2单元', '301'),
			at('阳光小区', '', '32单元', '301')
		])
			expect(addressKey(other)).not.toBe(key);
	});

	it('an address needs a building or a room, and bounded parts', () => {
		expect(
			parseAddress({ compound: ' 阳光小区 ', building: '', unit: '', room: '１０１' })
		).toEqual({
			ok: true,
			value: { compound: '阳光小区', building: '', unit: '', room: '101' }
		});
		expect(parseAddress({ compound: '阳光小区', building: ' ', unit: '2', room: '' })).toEqual({
			ok: false,
			reason: 'address_required'
		});
		expect(parseAddress({ compound: '小'.repeat(41), building: '3', unit: '', room: '' })).toEqual({
			ok: false,
			reason: 'address_too_long'
		});
	});
});

describe('vocabulary', () => {
	it('colours rank red first; guards accept only their words', () => {
		expect([...HOUSEHOLD_COLOURS].sort((a, b) => COLOUR_RANK[a] - COLOUR_RANK[b])).toEqual([
			'red',
			'yellow',
			'green'
		]);
		expect(isHouseholdColour('red')).toBe(true);
		expect(isHouseholdColour('blue')).toBe(false);
		expect(isResidentTag('veteran')).toBe(true);
		expect(isResidentTag('rich')).toBe(false);
		expect(isResidentRelation('spouse')).toBe(true);
		expect(isResidentRelation(3)).toBe(false);
		expect(DEFAULT_VISIT_PLAN).toEqual({ red: 7, yellow: 30, green: 90 });
		expect([0, 1, 366, 367, 1.5, '7'].map(isVisitInterval)).toEqual([
			false,
			true,
			true,
			false,
			false,
			false
		]);
	});
});

describe('visitDue', () => {
	const DAY = 86_400_000;
	const lastVisitAt = Date.UTC(2026, 4, 1);
	const dueAt = lastVisitAt + 7 * DAY;
	const due = (now: number, input: Partial<Parameters<typeof visitDue>[0]> = {}) =>
		visitDue({ lastVisitAt, since: 0, intervalDays: 7, ...input }, now);

	it('planned until three days before, due from then until the moment itself', () => {
		expect(due(dueAt - 3 * DAY - 1)).toEqual({ dueAt, overdueDays: 0, state: 'planned' });
		expect(due(dueAt - 3 * DAY)).toEqual({ dueAt, overdueDays: 0, state: 'due' });
		expect(due(dueAt)).toEqual({ dueAt, overdueDays: 0, state: 'due' });
	});

	it('overdue the moment after, counting whole days', () => {
		expect(due(dueAt + 1)).toEqual({ dueAt, overdueDays: 0, state: 'overdue' });
		expect(due(dueAt + DAY - 1).overdueDays).toBe(0);
		expect(due(dueAt + DAY).overdueDays).toBe(1);
		expect(due(dueAt + 10 * DAY + 5).overdueDays).toBe(10);
	});

	it('a household never visited counts from `since`; soonDays moves the due window', () => {
		const since = Date.UTC(2026, 4, 10);
		expect(due(since, { lastVisitAt: null, since }).dueAt).toBe(since + 7 * DAY);
		expect(visitDue({ lastVisitAt, since: 0, intervalDays: 7 }, dueAt - 2 * DAY, 1).state).toBe(
			'planned'
		);
		expect(visitDue({ lastVisitAt, since: 0, intervalDays: 7 }, dueAt - DAY, 1).state).toBe('due');
	});
});
