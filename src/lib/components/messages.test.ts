/**
 * The message catalogues follow each language's rules: punctuation (full-width colon in Chinese,
 * ASCII ": " in English, in messages and in the templates around them) and English plurals.
 */
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { m } from '$lib/paraglide/messages.js';
import zh from '../../../messages/zh-CN.json';
import en from '../../../messages/en.json';

const en_ = { locale: 'en' } as const;
type Catalogue = Record<string, unknown>;
const texts = (catalogue: Catalogue): [string, string][] =>
	Object.entries(catalogue).flatMap(([key, value]) => {
		if (key === '$schema') return [];
		if (typeof value === 'string') return [[key, value]];
		const match = (value as { match: Record<string, string> }[])[0]?.match ?? {};
		return Object.values(match).map((text): [string, string] => [key, text]);
	});

/** Count inputs: English needs "1 change" and "2 changes" for each of them. */
const COUNT_INPUT = /\{(count|days|hours|sessions|needed)\}/;
/** Counts that read the same for 1 and 2 ("2 h", "Service hours: 2"). */
// patrol_schedule's {days} is a list of weekdays, not a number.
const NO_PLURAL_NEEDED = new Set([
	'hours_value',
	'my_work_hours',
	'patrol_schedule',
	// "1 overdue", "2 overdue": an adjective, one form.
	'grid_overdue_count'
]);

describe('English plurals', () => {
	it('renders 1 and 2 with the right form', () => {
		expect(m.sync_unconfirmed({ count: 1 }, en_)).toBe('1 change not yet on the server');
		expect(m.sync_unconfirmed({ count: 2 }, en_)).toBe('2 changes not yet on the server');
		expect(m.members_count({ count: 1 }, en_)).toBe('1 member');
		expect(m.members_count({ count: 2 }, en_)).toBe('2 members');
		expect(m.invite_expiry_days({ days: 1 }, en_)).toBe('1 day');
		expect(m.invite_expiry_days({ days: 7 }, en_)).toBe('7 days');
		expect(m.board_shown_count({ shown: 1, count: 1 }, en_)).toBe('1 of 1 case');
		expect(m.board_shown_count({ shown: 1, count: 2 }, en_)).toBe('1 of 2 cases');
		expect(m.wish_hours({ hours: 1 }, en_)).toBe('1 hour');
		expect(m.wish_hours({ hours: 2 }, en_)).toBe('2 hours');
		expect(m.task_places({ taken: 0, needed: 1 }, en_)).toBe('0/1 volunteer');
		expect(m.task_places({ taken: 1, needed: 2 }, en_)).toBe('1/2 volunteers');
		// Chinese has one form.
		expect(m.sync_unconfirmed({ count: 1 }, { locale: 'zh-CN' })).toBe('1 项更改尚未保存到服务器');
	});

	it('every English message with a count has a singular and a plural form', () => {
		const single = Object.entries(en as Catalogue).filter(
			([key, value]) =>
				typeof value === 'string' && COUNT_INPUT.test(value) && !NO_PLURAL_NEEDED.has(key)
		);
		expect(single.map(([key]) => key)).toEqual([]);
		const messages = m as unknown as Record<string, (inputs: object, options: object) => string>;
		const variants = Object.entries(en as Catalogue).filter(([, value]) => Array.isArray(value));
		expect(variants.length).toBeGreaterThan(10);
		for (const [key] of variants) {
			const inputs = { shown: 0, what: 'X', taken: 0, rate: '50%', agreed: 0, decided: 0 };
			const counts = (n: number) => ({ count: n, days: n, hours: n, sessions: n, needed: n });
			const one = messages[key]!({ ...inputs, ...counts(1) }, en_);
			const two = messages[key]!({ ...inputs, ...counts(2) }, en_);
			expect(one, key).not.toBe(key);
			expect(one.replace('1', '2'), key).not.toBe(two);
		}
	});
});

const withoutClockTimes = (text: string) => text.replace(/\d:\d\d/g, '');

describe('punctuation follows the language', () => {
	it('Chinese uses the full-width colon, English ": " (no full-width marks)', () => {
		// A clock time ("23:59") keeps its colon in both languages.
		const asciiColon = texts(zh as Catalogue).filter(([, text]) =>
			/:(?!\/\/)/.test(withoutClockTimes(text))
		);
		expect(asciiColon).toEqual([]);
		// Nor ASCII brackets, question or exclamation marks (the "lng,lat" format keeps its comma).
		const ascii = texts(zh as Catalogue).filter(([, text]) => /[();?!]/.test(text));
		expect(ascii).toEqual([]);
		const fullWidth = texts(en as Catalogue).filter(
			([key, text]) => key !== 'language_zh' && /[：，。（）；、]/.test(text)
		);
		expect(fullWidth).toEqual([]);
		const noSpace = texts(en as Catalogue).filter(([, text]) =>
			/:(?![ /])/.test(withoutClockTimes(text))
		);
		expect(noSpace).toEqual([]);
	});

	it('templates put no hard-coded colon, bracket or list mark next to a message', () => {
		const root = path.resolve(__dirname, '../..');
		const files = fs
			.readdirSync(root, { recursive: true, encoding: 'utf8' })
			.filter((file) => file.endsWith('.svelte') && !file.includes('paraglide'));
		expect(files.length).toBeGreaterThan(20);
		const found: string[] = [];
		for (const file of files) {
			const source = fs.readFileSync(path.join(root, file), 'utf8');
			// The markup only: scripts and styles removed.
			const markup = source.replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/g, '');
			for (const [i, line] of markup.split('\n').entries()) {
				if (/[：（）、]|\)\}:|`[^`]*[（、][^`]*`/.test(line))
					found.push(`${file}:${i}: ${line.trim()}`);
			}
		}
		expect(found).toEqual([]);
	});
});
