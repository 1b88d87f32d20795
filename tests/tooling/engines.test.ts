/**
 * `npm install` on an unsupported Node stops at once (EBADENGINE) rather than failing later:
 * .npmrc turns engine checks strict, package.json's engines excludes Node 20, and no locked
 * dependency asks for more than the oldest Node the engines allow (or strict checks would refuse
 * a supported Node over a dependency's range).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const semver = createRequire(import.meta.url)('semver') as {
	satisfies: (version: string, range: string) => boolean;
	minVersion: (range: string) => { version: string } | null;
};
const root = new URL('../../', import.meta.url);
const pkg = JSON.parse(fs.readFileSync(new URL('package.json', root), 'utf8')) as {
	engines: { node: string };
};
const lock = JSON.parse(fs.readFileSync(new URL('package-lock.json', root), 'utf8')) as {
	packages: Record<string, { engines?: { node?: string } | string[]; optional?: boolean }>;
};

describe('Node version check at npm install', () => {
	it('.npmrc makes engine checks strict', () => {
		const npmrc = fs.readFileSync(new URL('.npmrc', root), 'utf8');
		expect(npmrc).toMatch(/^engine-strict=true$/m);
	});

	it('engines refuses Node 20 and older 22s, accepts 22.13 and 24', () => {
		const range = pkg.engines.node;
		for (const old of ['20.20.2', '22.11.0', '22.12.0', '18.20.0']) {
			expect(semver.satisfies(old, range), old).toBe(false);
		}
		for (const good of ['22.13.0', '22.22.0', '24.0.0', '24.21.0']) {
			expect(semver.satisfies(good, range), good).toBe(true);
		}
	});

	it('every locked dependency accepts the oldest Node allowed and Node 24', () => {
		const oldest = semver.minVersion(pkg.engines.node)?.version ?? '';
		expect(oldest).toBe('22.13.0');
		const refusing: string[] = [];
		for (const [name, entry] of Object.entries(lock.packages)) {
			const engines = entry.engines;
			const node = engines && !Array.isArray(engines) ? engines.node : undefined;
			if (!node || name === '') continue;
			for (const version of [oldest, '24.0.0']) {
				if (!semver.satisfies(version, node)) refusing.push(`${name} (${node}) on ${version}`);
			}
		}
		expect(refusing).toEqual([]);
	});
});
