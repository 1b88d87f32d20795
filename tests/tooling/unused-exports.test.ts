/**
 * No dead exports: every name exported by the app (`src/`) or the relay (`sync-server/`) is
 * mentioned somewhere else: in its own module or in another file (tests included, Svelte
 * components included). A name only declared and exported, used by nobody, is removed or given
 * its caller. A plain word match: a name mentioned in a comment elsewhere passes (no false alarm).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** Folders whose files may use an export (the benchmarks and tests import app modules). */
const USERS = ['src', 'sync-server', 'bench', 'tests'];
/** Names kept without a caller, and why. */
const KEPT = new Map([
	// The union of the timeline's entry kinds, for code that maps each kind to a text.
	['src/lib/domain/case-timeline.ts TimelineKind', 'the timeline kind union'],
	// Route parameters are parsed with the id parsers, not cast; these two are next in line.
	['src/lib/domain/ids.ts parseCaseId', 'the id parser for a case route parameter'],
	['src/lib/domain/ids.ts parseEditId', 'the id parser for an edit id']
]);

function files(dir: string, out: string[] = []): string[] {
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) {
			if (entry.name !== 'node_modules' && entry.name !== 'paraglide') files(full, out);
		} else if (/\.(ts|js|svelte)$/.test(entry.name)) out.push(full);
	}
	return out;
}

const EXPORT =
	/export\s+(?:declare\s+)?(?:async\s+)?(?:function\*?|const|let|class|type|interface|enum|abstract\s+class)\s+([A-Za-z_$][\w$]*)/g;

describe('exports', () => {
	it('every exported name in src/ and sync-server/ has a user', () => {
		const texts = new Map(
			USERS.flatMap((dir) => files(path.join(ROOT, dir))).map((file) => [
				path.relative(ROOT, file),
				fs.readFileSync(file, 'utf8')
			])
		);
		let checked = 0;
		const unused: string[] = [];
		for (const [file, text] of texts) {
			// SvelteKit reads a route file's exports (`ssr`, `load`, …) itself.
			if (!/^(src|sync-server)\//.test(file) || /\/\+[^/]+$/.test(file)) continue;
			for (const [, name] of text.matchAll(EXPORT)) {
				checked++;
				const word = new RegExp(`(?<![\\w$])${name!.replace(/\$/g, '\\$')}(?![\\w$])`, 'g');
				const inOwnFile = text.match(word)?.length ?? 0;
				const elsewhere = [...texts].some(([other, t]) => other !== file && word.test(t));
				if (inOwnFile < 2 && !elsewhere && !KEPT.has(`${file} ${name}`))
					unused.push(`${file} ${name}`);
			}
		}
		expect(checked).toBeGreaterThan(500);
		expect(unused).toEqual([]);
	});
});
