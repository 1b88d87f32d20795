/**
 * Pages are views (ARCHITECTURE.md, "Screens"): model commands are called only by screen models
 * in src/lib/screens/, never by a route or a component, and no route file grows past the size a
 * reader takes in at once. A command is an exported function of src/lib/model/ that writes: its
 * body runs a Yjs transaction, or calls another command.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ROUTE_FILE_MAX_LINES = 250;

function files(dir: string, pattern: RegExp, out: string[] = []): string[] {
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) files(full, pattern, out);
		else if (pattern.test(entry.name)) out.push(full);
	}
	return out;
}

const rel = (file: string) => path.relative(ROOT, file);

type Declaration = Readonly<{ body: string; exported: boolean }>;

/**
 * Each top-level declaration of a module that may hold a function (`function f`, `const f = …`,
 * `export const { a: f, g } = …`), with the text of its declaration.
 */
function topLevelFunctions(text: string): Map<string, Declaration> {
	const found = new Map<string, Declaration>();
	const starts = [
		...text.matchAll(
			/^(export\s+)?(?:async\s+)?(?:function\*?\s+([A-Za-z_$][\w$]*)|const\s+([A-Za-z_$][\w$]*)\s*=|const\s*\{([^}]*)\}\s*=)/gm
		)
	];
	const top = [
		...text.matchAll(/^(?:export\s+)?(?:async\s+)?(?:function|const|let|class|type|interface)\s/gm)
	].map((match) => match.index);
	for (const match of starts) {
		const next = top.find((index) => index > match.index) ?? text.length;
		const body = text.slice(match.index, next);
		const exported = match[1] !== undefined;
		const names = match[4]
			? match[4].split(',').map((part) => part.split(':').pop()!.trim())
			: [(match[2] ?? match[3])!];
		for (const name of names.filter((n) => n !== '')) found.set(name, { body, exported });
	}
	return found;
}

/**
 * The names of every exported model command, found to a fixpoint: a declaration writes if it runs
 * a transaction or names one that writes (module-private helpers and bound factories included).
 */
function modelDeclarations(): [string, Declaration][] {
	const declarations: [string, Declaration][] = [];
	for (const file of files(path.join(ROOT, 'src/lib/model'), /^(?!.*\.test\.ts$).*\.ts$/)) {
		if (file.includes(`${path.sep}testing${path.sep}`)) continue;
		declarations.push(...topLevelFunctions(fs.readFileSync(file, 'utf8')));
	}
	return declarations;
}

/** The names of every declaration that `test` holds for, directly or through one it names. */
function closure(
	declarations: [string, Declaration][],
	test: (body: string) => boolean,
	refers: (name: string) => RegExp
): Set<string> {
	const found = new Set<string>();
	let grew = true;
	while (grew) {
		grew = false;
		for (const [name, { body }] of declarations) {
			if (found.has(name)) continue;
			if (test(body) || [...found].some((other) => refers(other).test(body))) {
				found.add(name);
				grew = true;
			}
		}
	}
	return found;
}

function modelCommands(declarations = modelDeclarations()): Set<string> {
	const writers = closure(
		declarations,
		(body) => /\.transact\(/.test(body),
		(other) => new RegExp(`\\b${other}\\b`)
	);
	return new Set(
		declarations.filter(([name, d]) => d.exported && writers.has(name)).map(([n]) => n)
	);
}

/** The names a file imports from the model. */
function modelImports(text: string): string[] {
	const names: string[] = [];
	for (const match of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*['"]\$lib\/model[^'"]*['"]/g)) {
		for (const part of match[1]!.split(',')) {
			const name = part
				.trim()
				.replace(/^type\s+/, '')
				.split(/\s+as\s+/)[0]!;
			if (name !== '' && !part.trim().startsWith('type ')) names.push(name);
		}
	}
	return names;
}

/**
 * The commands a module calls as bare statements (their result dropped): a call that starts a
 * statement (after `;`, `{` or `}`, maybe behind `void` or `await`) and is not a method's
 * definition (whose parameter list is followed by `{` or a return type).
 */
function droppedCalls(source: string, commands: ReadonlySet<string>): string[] {
	const text = source.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (comment) =>
		' '.repeat(comment.length)
	);
	const found: string[] = [];
	for (const match of text.matchAll(/([A-Za-z_$][\w$]*)\(/g)) {
		const name = match[1]!;
		if (!commands.has(name)) continue;
		const before = text
			.slice(0, match.index)
			.replace(/(?:\b(?:void|await)\s*)+$/, '')
			.trimEnd();
		if (before !== '' && !/[;{}]$/.test(before)) continue;
		let depth = 0;
		let end = match.index + name.length;
		for (; end < text.length; end++) {
			if (text[end] === '(') depth++;
			else if (text[end] === ')' && --depth === 0) break;
		}
		const after = text.slice(end + 1).trimStart();
		if (after.startsWith('{') || after.startsWith(':')) continue;
		found.push(name);
	}
	return found;
}

describe('screens', () => {
	const commands = modelCommands();

	it('finds the model commands', () => {
		for (const name of [
			'createCase',
			'editCase',
			'editMeeting',
			'claimTask',
			'releaseWishClaim',
			'recordWish',
			'addGrid',
			'attachCasePhoto'
		]) {
			expect(commands.has(name), name).toBe(true);
		}
		for (const name of ['readCase', 'listCases', 'readTask', 'readDirectory', 'listMeetings']) {
			expect(commands.has(name), name).toBe(false);
		}
	});

	it('no route or component calls a model command: screen models do', () => {
		const views = [
			...files(path.join(ROOT, 'src/routes'), /\.(svelte|ts)$/),
			...files(path.join(ROOT, 'src/lib/components'), /\.(svelte|ts)$/)
		].filter((file) => !file.endsWith('.test.ts'));
		const offenders = views.flatMap((file) =>
			modelImports(fs.readFileSync(file, 'utf8'))
				.filter((name) => commands.has(name))
				.map((name) => `${rel(file)} ${name}`)
		);
		expect(offenders).toEqual([]);
	});

	it('screen models handle every command result: none is called as a bare statement', () => {
		const screens = files(path.join(ROOT, 'src/lib/screens'), /\.ts$/).filter(
			(file) => !file.endsWith('.test.ts')
		);
		const dropped = screens.flatMap((file) =>
			droppedCalls(fs.readFileSync(file, 'utf8'), commands).map((name) => `${rel(file)} ${name}`)
		);
		expect(screens.length).toBeGreaterThan(5);
		expect(dropped).toEqual([]);
		// The check itself: a bare call is caught, a kept result, a return and a method are not.
		const probe =
			'f() {\n\tvoid createCase(doc, input, context);\n}\ncreateCase(x: X): R {\n\treturn createCase(doc, x, context);\n}\nconst kept = createCase(doc, input, context);\n';
		expect(droppedCalls(probe, commands)).toEqual(['createCase']);
	});

	it('every model command checks the authority in its context before it writes', () => {
		const declarations = modelDeclarations();
		// A check: a role rule (`may…`, `can…`, `permit…`) or a look at the context's authority.
		const checkers = closure(
			declarations,
			(body) => /\b(?:may|can|permits?)[A-Z]\w*\(|\bpermitted\(|authority\./.test(body),
			(other) => new RegExp(`\\b${other}\\(`)
		);
		// Stamped by the sync engine once the relay confirmed an edit; no member acts.
		const EXEMPT = new Set(['recordServerReceipts']);
		const unchecked = [...modelCommands(declarations)].filter(
			(name) => !checkers.has(name) && !EXEMPT.has(name)
		);
		expect(commands.size).toBeGreaterThan(50);
		expect(unchecked).toEqual([]);
	});

	it('route parameters are parsed, never cast or defaulted', () => {
		const unparsed = files(path.join(ROOT, 'src/routes'), /\.(svelte|ts)$/).flatMap((file) =>
			[
				...fs
					.readFileSync(file, 'utf8')
					.matchAll(/(?<!\bparse\w*\(\s*)page\.params\.\w+\s*(?:as\b|\?\?)/g)
			].map((match) => `${rel(file)}: ${match[0]}`)
		);
		expect(unparsed).toEqual([]);
	});

	it(`no route file is over ${ROUTE_FILE_MAX_LINES} lines`, () => {
		const long = files(path.join(ROOT, 'src/routes'), /\.(svelte|ts)$/)
			.map((file) => [rel(file), fs.readFileSync(file, 'utf8').split('\n').length] as const)
			.filter(([, lines]) => lines > ROUTE_FILE_MAX_LINES)
			.map(([file, lines]) => `${file}: ${lines}`);
		expect(long).toEqual([]);
	});
});
