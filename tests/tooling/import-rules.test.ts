/**
 * The import direction of every layer (eslint.config.js, ARCHITECTURE.md "Layers"), checked on
 * probe files: ESLint's own `no-restricted-imports` with the repository's configuration. ESLint
 * runs once, in a child process (in the test worker it keeps Vitest from exiting).
 */
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';

type Probe = [filePath: string, specifier: string];

const FORBIDDEN: Probe[] = [
	['src/lib/components/probe.ts', '../../routes/c/[community]/tasks/work'],
	['src/lib/sync/probe.ts', '$lib/model/case'],
	['src/lib/sync/probe.ts', '../model/case'],
	['src/lib/reactive/probe.ts', '$lib/components/labels'],
	['src/lib/reactive/probe.ts', '../../routes/+layout.svelte'],
	['src/lib/model/probe.ts', '$lib/components/labels'],
	['src/lib/domain/probe.ts', '$lib/reactive/app-context.svelte'],
	['src/lib/domain/probe.ts', '../model/case'],
	['src/lib/wire/probe.ts', 'yjs'],
	['src/lib/wire/probe.ts', './doc-names'],
	['src/lib/wire/probe.ts', '../domain/ids'],
	['sync-server/probe.ts', '../src/lib/domain/ids.ts'],
	['sync-server/probe.ts', '../src/lib/model/case/index.ts'],
	['sync-server/probe.ts', '$lib/wire'],
	['src/lib/screens/probe.ts', '$lib/components/labels'],
	['src/lib/screens/probe.ts', '../../routes/c/[community]/+layout.svelte'],
	['src/lib/model/probe.ts', '$lib/screens/field-draft.svelte'],
	['src/lib/reactive/probe.ts', '../screens/field-draft.svelte'],
	['src/lib/photos/probe.ts', '$lib/screens/field-draft.svelte'],
	['src/lib/map/probe.ts', '$lib/screens/field-draft.svelte'],
	['src/lib/map/probe.ts', '$lib/components/labels'],
	['src/lib/sync/probe.ts', '$lib/engine/app-sync'],
	['src/lib/model/probe.ts', '../engine/server-receipts'],
	['src/lib/engine/probe.ts', '$lib/reactive/app-context.svelte'],
	['src/lib/engine/probe.ts', 'svelte'],
	['src/lib/model/probe.ts', '../map/layers'],
	['src/lib/domain/probe.ts', '$lib/map/grid-colors'],
	['src/lib/map/probe.ts', '$lib/screens/map/map-facts'],
	['src/lib/map/probe.ts', '$lib/components/labels'],
	['src/lib/domain/probe.ts', '$lib/spreadsheets/read'],
	['src/lib/model/probe.ts', '../spreadsheets/write'],
	['src/lib/spreadsheets/probe.ts', 'yjs'],
	['src/lib/spreadsheets/probe.ts', '$lib/model/case'],
	['src/lib/spreadsheets/probe.ts', '$lib/screens/field-draft.svelte'],
	['src/lib/spreadsheets/probe.ts', 'papaparse'],
	['src/lib/spreadsheets/probe.ts', 'read-excel-file/browser'],
	['src/lib/spreadsheets/probe.ts', 'write-excel-file/browser']
];

const ALLOWED: Probe[] = [
	['src/lib/components/probe.ts', '$lib/reactive/app-context.svelte'],
	['src/lib/sync/probe.ts', '../domain/ids'],
	['src/lib/sync/probe.ts', '$lib/wire'],
	['src/lib/map/probe.ts', '../sync/local-store.ts'],
	['src/lib/reactive/probe.ts', '$lib/model/case'],
	['src/lib/domain/probe.ts', '../wire/index.ts'],
	['src/lib/wire/probe.ts', './doc-names.ts'],
	['sync-server/probe.ts', '../src/lib/wire/index.ts'],
	['sync-server/probe.ts', './protocol.ts'],
	['src/lib/screens/probe.ts', '$lib/model/case'],
	['src/lib/screens/probe.ts', '$lib/reactive/use-doc.svelte'],
	['src/lib/components/probe.ts', '$lib/screens/field-draft.svelte'],
	['src/lib/engine/probe.ts', '$lib/model/case'],
	['src/lib/engine/probe.ts', '$lib/sync/session-registry'],
	['src/lib/reactive/probe.ts', '$lib/engine/app-sync'],
	['src/lib/map/probe.ts', '../domain/geo'],
	['src/lib/screens/probe.ts', '$lib/map/layers'],
	['src/lib/components/probe.ts', '$lib/map/basemap'],
	['src/lib/spreadsheets/probe.ts', '$lib/domain/household-import'],
	['src/lib/screens/probe.ts', '$lib/spreadsheets/read']
];

/** Lints one probe file per entry; returns the restricted-import messages of each. */
const LINT = `
import { ESLint } from 'eslint';
const probes = JSON.parse(process.argv[1]);
const eslint = new ESLint({ cwd: process.cwd() });
const out = [];
for (const [filePath, specifier] of probes) {
	const code = "import * as probe from '" + specifier + "';\\nexport default probe;\\n";
	const [result] = await eslint.lintText(code, { filePath });
	out.push(result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message));
}
console.log(JSON.stringify(out));
`;

/** `file\nspecifier` → the restricted-import messages ESLint gave that probe. */
const messages = new Map<string, string[]>();

beforeAll(() => {
	const probes = [...FORBIDDEN, ...ALLOWED];
	const stdout = execFileSync(
		process.execPath,
		['--input-type=module', '-e', LINT, JSON.stringify(probes)],
		{ cwd: process.cwd(), encoding: 'utf8' }
	);
	const results = JSON.parse(stdout) as string[][];
	probes.forEach(([file, specifier], i) => messages.set(`${file}\n${specifier}`, results[i]!));
});

describe('import rules', () => {
	it.each(FORBIDDEN)('%s may not import %s', (file, specifier) => {
		expect(messages.get(`${file}\n${specifier}`)).toHaveLength(1);
	});

	it.each(ALLOWED)('%s may import %s', (file, specifier) => {
		expect(messages.get(`${file}\n${specifier}`)).toEqual([]);
	});
});
