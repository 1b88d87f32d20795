/**
 * Where the relay benchmarks (run.ts, presence.ts, soak.ts) leave their figures: raw JSON in
 * bench/results/, and with --doc their Markdown in its own block of docs/benchmarks.md.
 *
 * Invariant: only the text between a block's two markers changes, and the file is then
 * formatted by the project's prettier, so `npm run lint` stays green.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './prepare.ts';

/** Writes bench/results/<name>-<startedAt>.json; returns its path from the repository's root. */
export function writeRawFigures(name: string, startedAt: string, figures: unknown): string {
	const dir = path.join(REPO_ROOT, 'bench/results');
	fs.mkdirSync(dir, { recursive: true });
	const file = path.join(dir, `${name}-${startedAt.replace(/[:.]/g, '-')}.json`);
	fs.writeFileSync(file, JSON.stringify(figures, null, '\t'));
	return path.relative(REPO_ROOT, file);
}

/** Puts `markdown` between `<!-- block:begin -->` and `<!-- block:end -->` in docs/benchmarks.md. */
export function writeDocBlock(block: string, markdown: string): void {
	const docFile = path.join(REPO_ROOT, 'docs/benchmarks.md');
	const begin = `<!-- ${block}:begin -->`;
	const end = `<!-- ${block}:end -->`;
	const text = fs.readFileSync(docFile, 'utf8');
	const a = text.indexOf(begin);
	const b = text.indexOf(end);
	if (a === -1 || b < a) throw new Error(`docs/benchmarks.md has no ${begin} … ${end} block`);
	fs.writeFileSync(
		docFile,
		`${text.slice(0, a + begin.length)}\n\n${markdown}\n\n${text.slice(b)}`
	);
	execFileSync(
		process.execPath,
		[path.join(REPO_ROOT, 'node_modules/prettier/bin/prettier.cjs'), '--write', docFile],
		{ stdio: 'ignore' }
	);
	console.log('Updated docs/benchmarks.md');
}
