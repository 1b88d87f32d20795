/**
 * Households: the vocabulary of a grid's household register (issue 18), shared by the model,
 * the import and export, the screens and the statistics.
 *
 * A household is an address (compound, building, unit, room) with residents, a colour
 * (three-colour management: green 平安, yellow 关注, red 重点) and a visit plan. Residents'
 * ID numbers and phone numbers are the most personal values we hold: they are validated on the
 * way in (an ID number's check digit, phone formats) and masked on the way out unless someone
 * reveals one on purpose.
 *
 * Invariant: every value a command stores has passed through these validators, trimmed and with
 * full-width digits and letters folded to ASCII; lengths count Unicode code points.
 */

import { err, ok, type Result } from './result';
import { HOUSEHOLD_COLOURS, RESIDENT_RELATIONS, RESIDENT_TAGS } from '../wire/household-values.ts';

export { HOUSEHOLD_COLOURS, RESIDENT_RELATIONS, RESIDENT_TAGS };

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

export type HouseholdId = Brand<string, 'HouseholdId'>;
export type ResidentId = Brand<string, 'ResidentId'>;
export type VisitId = Brand<string, 'VisitId'>;

export type HouseholdColour = (typeof HOUSEHOLD_COLOURS)[number];
export const isHouseholdColour = (value: unknown): value is HouseholdColour =>
	typeof value === 'string' && (HOUSEHOLD_COLOURS as readonly string[]).includes(value);

/** Most attention first: the order lists and "我的走访" sort by. */
export const COLOUR_RANK: Readonly<Record<HouseholdColour, number>> = Object.freeze({
	red: 0,
	yellow: 1,
	green: 2
});

export type ResidentTag = (typeof RESIDENT_TAGS)[number];
export const isResidentTag = (value: unknown): value is ResidentTag =>
	typeof value === 'string' && (RESIDENT_TAGS as readonly string[]).includes(value);

export type ResidentRelation = (typeof RESIDENT_RELATIONS)[number];
export const isResidentRelation = (value: unknown): value is ResidentRelation =>
	typeof value === 'string' && (RESIDENT_RELATIONS as readonly string[]).includes(value);

export const ADDRESS_PART_MAX = 40;
export const RESIDENT_NAME_MAX = 40;
export const HOUSEHOLD_NOTE_MAX = 2000;
export const COLOUR_REASON_MAX = 500;
export const VISIT_TEXT_MAX = 2000;

export type HouseholdAddress = Readonly<{
	/** 小区 */
	compound: string;
	/** 楼栋, as people write it ("3栋", "3号楼") */
	building: string;
	/** 单元 */
	unit: string;
	/** 室 */
	room: string;
}>;

export const ADDRESS_PARTS = ['compound', 'building', 'unit', 'room'] as const;
export type AddressPart = (typeof ADDRESS_PARTS)[number];

const codePoints = (value: string) => [...value].length;

/**
 * Folds full-width letters and digits (ＡＢＣ１２３), the signs written inside numbers and codes
 * (＋ － ． ／ ＃ ＠ ＿) and the ideographic space to half-width, collapses spaces and trims.
 * Chinese punctuation in prose (，；：！？（）) stays as typed.
 */
export function normaliseText(value: string): string {
	return value
		.replace(/[０-９Ａ-Ｚａ-ｚ＋－．／＃＠＿]/gu, (char) =>
			String.fromCharCode(char.charCodeAt(0) - 0xfee0)
		)
		.replace(/\u3000/g, ' ')
		.replace(/\s+/g, ' ')
		.trim();
}

export type TextReason = 'required' | 'too_long';

export function parseBoundedText(
	raw: string,
	max: number,
	required = false
): Result<string, TextReason> {
	const value = normaliseText(raw);
	if (required && value === '') return err('required');
	if (codePoints(value) > max) return err('too_long');
	return ok(value);
}

/**
 * The key duplicates are found by: an address with case, spaces and the common suffixes
 * (号楼, 栋, 幢, 单元, 室, 号) folded, so "3号楼 2单元 301室" and "3栋2单元301" are one household.
 */
export function addressKey(address: HouseholdAddress): string {
	const part = (value: string) =>
		normaliseText(value)
			.toLowerCase()
			.replace(/\s+/g, '')
			.replace(/(号楼|栋|幢|单元|室|号|楼)$/u, '');
	return ADDRESS_PARTS.map((name) => part(address[name])).join('|');
}

export type AddressReason = 'address_required' | 'address_too_long';

/** An address needs a building or a room at least; every part is trimmed and bounded. */
export function parseAddress(
	raw: Record<AddressPart, string>
): Result<HouseholdAddress, AddressReason> {
	const parts = {} as Record<AddressPart, string>;
	for (const name of ADDRESS_PARTS) {
		const value = normaliseText(raw[name] ?? '');
		if (codePoints(value) > ADDRESS_PART_MAX) return err('address_too_long');
		parts[name] = value;
	}
	if (parts.building === '' && parts.room === '') return err('address_required');
	return ok(Object.freeze(parts));
}

// ID numbers (GB 11643-1999, 18 characters)

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

export type IdNumberReason = 'id_format' | 'id_birth_date' | 'id_check_digit';

/** The check character an ID number's first 17 digits call for. */
export function idCheckCharacter(first17: string): string {
	let sum = 0;
	for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i]!;
	return ID_CHECK[sum % 11]!;
}

/**
 * An 18-character resident ID number, normalised (full-width folded, spaces dropped, a
 * lower-case x upper-cased); empty is allowed (not every resident gives one) and stays empty.
 */
export function parseIdNumber(raw: string, today = new Date()): Result<string, IdNumberReason> {
	const value = normaliseText(raw).replace(/\s+/g, '').toUpperCase();
	if (value === '') return ok('');
	if (!/^\d{17}[\dX]$/.test(value)) return err('id_format');
	const year = Number(value.slice(6, 10));
	const month = Number(value.slice(10, 12));
	const day = Number(value.slice(12, 14));
	const birth = new Date(Date.UTC(year, month - 1, day));
	if (
		year < 1900 ||
		birth.getUTCFullYear() !== year ||
		birth.getUTCMonth() !== month - 1 ||
		birth.getUTCDate() !== day ||
		birth.getTime() > today.getTime()
	) {
		return err('id_birth_date');
	}
	if (idCheckCharacter(value.slice(0, 17)) !== value[17]) return err('id_check_digit');
	return ok(value);
}

/** The birth year an ID number carries (for a resident whose year was not typed separately). */
export const birthYearOfIdNumber = (idNumber: string): number | null =>
	/^\d{17}[\dX]$/.test(idNumber) ? Number(idNumber.slice(6, 10)) : null;

// Phone numbers

export type PhoneReason = 'phone_format';

/**
 * A mainland mobile (11 digits starting 1[3-9], an optional +86/0086/86 prefix dropped) or a landline
 * (area code 0xx(x), 7–8 digits, optional extension), normalised to `13812345678` or
 * `0571-88123456` / `0571-88123456-123`; empty is allowed and stays empty.
 */
export function parsePhone(raw: string): Result<string, PhoneReason> {
	const value = normaliseText(raw).replace(/[\s()（）]/g, '');
	if (value === '') return ok('');
	const mobile = /^(?:(?:\+|00)?86)?(1[3-9]\d{9})$/.exec(value.replace(/-/g, ''));
	if (mobile) return ok(mobile[1]!);
	const landline = /^(0\d{2,3})-?(\d{7,8})(?:(?:-|转|ext\.?)(\d{1,6}))?$/i.exec(value);
	if (landline) return ok([landline[1], landline[2], landline[3]].filter(Boolean).join('-'));
	return err('phone_format');
}

export type BirthYearReason = 'birth_year';

export function parseBirthYear(
	raw: string | number,
	today = new Date()
): Result<number | null, BirthYearReason> {
	const text = normaliseText(String(raw)).replace(/年$/u, '');
	if (text === '') return ok(null);
	const year = Number(text);
	if (!Number.isInteger(year) || year < 1900 || year > today.getFullYear())
		return err('birth_year');
	return ok(year);
}

// Masking: on screen and in exports unless revealed on purpose

/** `110101********123X`: the region and the last four stay, the birth date goes. */
export function maskIdNumber(idNumber: string): string {
	if (idNumber.length < 10) return idNumber === '' ? '' : '*'.repeat(idNumber.length);
	return `${idNumber.slice(0, 6)}${'*'.repeat(idNumber.length - 10)}${idNumber.slice(-4)}`;
}

/** `138****5678` for a mobile, `0571-****3456` for a landline. */
export function maskPhone(phone: string): string {
	if (/^1\d{10}$/.test(phone)) return `${phone.slice(0, 3)}****${phone.slice(7)}`;
	const landline = /^(0\d{2,3})-(\d+)(.*)$/.exec(phone);
	if (landline) {
		const number = landline[2]!;
		return `${landline[1]}-${'*'.repeat(Math.max(0, number.length - 4))}${number.slice(-4)}${landline[3]}`;
	}
	return phone.length <= 4
		? '*'.repeat(phone.length)
		: `${'*'.repeat(phone.length - 4)}${phone.slice(-4)}`;
}

// Visit plans

/** How often a household of each colour is visited, in days (community settings). */
export type VisitPlanDefaults = Readonly<Record<HouseholdColour, number>>;

/** Red weekly, yellow monthly, green quarterly: what a community starts with. */
export const DEFAULT_VISIT_PLAN: VisitPlanDefaults = Object.freeze({
	red: 7,
	yellow: 30,
	green: 90
});
export const VISIT_INTERVAL_MAX_DAYS = 366;

export const isVisitInterval = (value: unknown): value is number =>
	typeof value === 'number' &&
	Number.isInteger(value) &&
	value >= 1 &&
	value <= VISIT_INTERVAL_MAX_DAYS;

const DAY_MS = 24 * 60 * 60 * 1000;

export type VisitDue = Readonly<{
	/** When the next visit is due (ms): the last visit plus the interval, or the colour's start. */
	dueAt: number;
	/** Whole days past due (0 when not overdue). */
	overdueDays: number;
	state: 'overdue' | 'due' | 'planned';
}>;

/**
 * When a household's next visit is due: `interval` days after its last visit, or, for a household
 * never visited, after `since` (when it got its current colour or was registered). "due" means within the
 * next `soonDays` days (default 3), "overdue" means past.
 */
export function visitDue(
	input: Readonly<{ lastVisitAt: number | null; since: number; intervalDays: number }>,
	now: number,
	soonDays = 3
): VisitDue {
	const dueAt = (input.lastVisitAt ?? input.since) + input.intervalDays * DAY_MS;
	if (now > dueAt) {
		return Object.freeze({
			dueAt,
			overdueDays: Math.floor((now - dueAt) / DAY_MS),
			state: 'overdue'
		});
	}
	return Object.freeze({
		dueAt,
		overdueDays: 0,
		state: dueAt - now <= soonDays * DAY_MS ? 'due' : 'planned'
	});
}

// What a household is made from: the form, an import row group, a merge

export type ResidentInput = Readonly<{
	name: string;
	relation: ResidentRelation;
	/** Validated by parsePhone ('' when not given). */
	phone: string;
	/** Validated by parseIdNumber ('' when not given). */
	idNumber: string;
	birthYear: number | null;
	tags: readonly ResidentTag[];
	note: string;
}>;

export type HouseholdInput = Readonly<{
	address: HouseholdAddress;
	colour: HouseholdColour;
	/** Why it has this colour ('' for green, which needs none). */
	colourReason: string;
	note: string;
	residents: readonly ResidentInput[];
}>;
