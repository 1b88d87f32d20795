/**
 * The domain and the model run under plain Node too: the relay's demo seeder
 * (`sync-server/demo.ts`) and the board benchmark's seeder (`bench/board/seed.ts`) load them with
 * a resolve hook that adds `.ts`, but knows nothing of SvelteKit's `$lib` alias. So these layers
 * import each other relatively; `import type` from `$lib` is fine (erased before Node sees it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const LAYERS = ['src/lib/domain', 'src/lib/model', 'src/lib/wire'];

function files(dir: string, out: string[] = []): string[] {
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) files(full, out);
		else if (/\.ts$/.test(entry.name) && !entry.name.endsWith('.test.ts')) out.push(full);
	}
	return out;
}

/** The `$lib` imports of a module that Node would have to resolve (not `import type`). */
export function aliasValueImports(text: string): string[] {
	return [
		...text.matchAll(/^\s*(import|export)\s+(?!type\s)[^;]*?from\s+['"](\$lib[^'"]*)['"]/gm)
	].map((match) => match[2]!);
}

describe('layers Node loads directly', () => {
	it('import nothing through the $lib alias but types', () => {
		const offenders = LAYERS.flatMap((layer) => files(path.join(ROOT, layer))).flatMap((file) =>
			aliasValueImports(fs.readFileSync(file, 'utf8')).map(
				(spec) => `${path.relative(ROOT, file)}: ${spec}`
			)
		);
		expect(offenders).toEqual([]);
	});

	it('tells a value import from a type import', () => {
		expect(
			aliasValueImports("import { canAdminister, type AccessClaims } from '$lib/wire';")
		).toEqual(['$lib/wire']);
		expect(aliasValueImports("import type { AccessClaims } from '$lib/wire';")).toEqual([]);
		expect(aliasValueImports("import { ok } from '../../domain/result';")).toEqual([]);
	});
});
