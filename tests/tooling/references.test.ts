/**
 * What the code and docs cite can be followed from a fresh clone: no reference to files outside
 * the repository (the workspace's shared notes), every source file a comment or doc names exists
 * in the repository, and ARCHITECTURE.md's "about N lines" claims are near the files' real size.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SKIP = new Set(['node_modules', 'paraglide', '.svelte-kit', 'build', 'results', '.git']);

function files(dir: string, pattern: RegExp, out: string[] = []): string[] {
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) {
			if (!SKIP.has(entry.name)) files(full, pattern, out);
		} else if (pattern.test(entry.name)) out.push(full);
	}
	return out;
}

const sources = ['src', 'sync-server', 'bench', 'tests', 'docs']
	.flatMap((dir) => files(path.join(ROOT, dir), /\.(ts|js|mjs|svelte|md)$/))
	.concat(['README.md', 'ARCHITECTURE.md', '.ci/run'].map((file) => path.join(ROOT, file)));
const text = new Map(
	sources.map((file) => [path.relative(ROOT, file), fs.readFileSync(file, 'utf8')])
);
/** Base names of every file in the repository (what a citation like `case-status.ts` means). */
const present = new Set(
	['src', 'sync-server', 'bench', 'tests', 'docs', 'messages', 'static', '.ci']
		.flatMap((dir) => files(path.join(ROOT, dir), /./))
		.concat(fs.readdirSync(ROOT).map((name) => path.join(ROOT, name)))
		.map((file) => path.basename(file))
);

describe('references', () => {
	it('nothing cites files outside the repository', () => {
		const outside = /\.\.\/shared\/|DOMAIN\.md|HOUSE-STYLE\.md|research\/[\w-]+\.md/;
		const citing = [...text].filter(([, body]) => outside.test(body)).map(([file]) => file);
		expect(citing).toEqual([]);
	});

	it('every .ts or .svelte file named in a comment or doc exists', () => {
		const missing: string[] = [];
		for (const [file, body] of text) {
			// Its own examples, and the import-rules test's made-up probe files.
			if (
				file === 'tests/tooling/references.test.ts' ||
				file === 'tests/tooling/import-rules.test.ts'
			)
				continue;
			// Module names cited in prose: `case-review.ts`, src/lib/model/x.ts, Timeline.svelte.
			// (`x.svelte` is also how a `x.svelte.ts` module is imported; `+page.ts` is a route file.)
			for (const [, name] of body.matchAll(
				/(?<![\w.$+-])([A-Za-z][\w-]*(?:\.svelte)?\.(?:ts|svelte))\b/g
			)) {
				if (!present.has(name!) && !present.has(`${name}.ts`)) missing.push(`${file}: ${name}`);
			}
		}
		expect(missing).toEqual([]);
	});

	it("ARCHITECTURE.md's line counts are within 20 % of the files' sizes", () => {
		const doc = text.get('ARCHITECTURE.md')!;
		const claims = [...doc.matchAll(/`([\w/.-]+\.ts)`[^`.]{0,20}?(?:~|about )(\d+) lines/g)];
		expect(claims.length).toBeGreaterThan(0);
		for (const [, name, count] of claims) {
			const found = sources.filter((file) => file.endsWith(`/${name}`));
			expect(found, name).toHaveLength(1);
			const lines = fs.readFileSync(found[0]!, 'utf8').split('\n').length;
			expect(Math.abs(lines - Number(count)) / lines, `${name}: ${count} vs ${lines}`).toBeLessThan(
				0.2
			);
		}
	});
});
