/**
 * The relay refuses only with the wire's API reasons (src/lib/wire/api-reasons.ts), read from its
 * source: every `new Refusal(status, reason)` and every `{ error: '…' }` it answers with. The
 * types hold this too (`Refusal` takes an `ApiReason`); this keeps the list honest both ways, so
 * no reason is listed that the relay never sends.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_REASONS, isApiReason, MEMBER_REMOVED } from '../src/lib/wire/index.ts';

/** Reasons the relay names by a wire constant rather than a literal. */
const CONSTANTS: Record<string, string> = { MEMBER_REMOVED };
const withConstants = (text: string) =>
	text.replace(/\b[A-Z][A-Z_]+\b/g, (name) => (name in CONSTANTS ? `'${CONSTANTS[name]}'` : name));

const dir = import.meta.dirname;
// The relay's own files and its basemap and notices folders.
const sources = ['', 'basemap', 'notices']
	.flatMap((sub) => fs.readdirSync(path.join(dir, sub)).map((file) => path.join(sub, file)))
	.filter(
		(file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && file !== 'test-helpers.ts'
	)
	.map((file) => ({ file, text: withConstants(fs.readFileSync(path.join(dir, file), 'utf8')) }));

/** The reason argument of each `new Refusal(status, reason)`, as written. */
function refusalArguments(text: string): string[] {
	const found: string[] = [];
	for (const match of text.matchAll(/new Refusal\(\s*\d{3}\s*,\s*/g)) {
		let depth = 1;
		let end = match.index + match[0].length;
		const start = end;
		for (; end < text.length && depth > 0; end++) {
			if (text[end] === '(') depth++;
			else if (text[end] === ')') depth--;
		}
		found.push(text.slice(start, end - 1).trim());
	}
	return found;
}

const literals = (expression: string) =>
	[...expression.matchAll(/'([^']*)'|`([^`]*)`|"([^"]*)"/g)].map((m) => m[1] ?? m[2] ?? m[3]!);

describe('API refusal reasons', () => {
	it('lists each reason once', () => {
		expect(new Set(API_REASONS).size).toBe(API_REASONS.length);
		expect(isApiReason('token_missing')).toBe(true);
		expect(isApiReason('http_502')).toBe(false);
		expect(isApiReason(42)).toBe(false);
	});

	it('every refusal the relay raises is a listed reason, never a template', () => {
		const args = sources.flatMap(({ file, text }) =>
			refusalArguments(text).map((arg) => ({ file, arg }))
		);
		expect(args.length).toBeGreaterThan(40);
		for (const { file, arg } of args) {
			expect(arg, file).not.toContain('`');
			// A literal, a choice between literals, or a reason a typed result carries (the
			// identity store's refusals: their types are unions of literals, checked below).
			if (/^(refusal|result\.reason)$/.test(arg)) continue;
			// A choice's condition is no reason: only its two outcomes are.
			const words = literals(arg.includes('?') ? arg.slice(arg.indexOf('?')) : arg);
			expect(words.length, `${file}: ${arg}`).toBeGreaterThan(0);
			for (const word of words) expect(API_REASONS, `${file}: ${arg}`).toContain(word);
		}
	});

	it("every `error: '…'` body and every typed refusal of the identity store is listed", () => {
		const sent = sources.flatMap(({ text }) =>
			[...text.matchAll(/\berror: '([^']+)'/g)].map((m) => m[1]!)
		);
		expect(sent).toContain('internal');
		const identity = sources
			.filter(({ file }) => file.startsWith('identity'))
			.flatMap(({ text }) => [...text.matchAll(/'((?:invite|credential)_[a-z_]+)'/g)])
			.map((m) => m[1]!);
		expect(identity).toEqual(expect.arrayContaining(['invite_expired', 'credential_revoked']));
		for (const reason of [...sent, ...identity]) expect(API_REASONS).toContain(reason);
	});

	it('every listed reason is one the relay can send', () => {
		const everything = sources.map(({ text }) => text).join('\n');
		const unsent = API_REASONS.filter((reason) => !everything.includes(`'${reason}'`));
		expect(unsent).toEqual([]);
	});
});
