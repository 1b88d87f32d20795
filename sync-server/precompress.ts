/**
 * Precompresses the built app: beside every compressible file of `build/` (js, css, html, json,
 * webmanifest, svg, txt) it writes `<file>.br` (brotli, quality 11) and `<file>.gz` (gzip, level
 * 9), which the relay serves by `Accept-Encoding` (sync-server/static-files.ts). Run by
 * `npm run build` after `vite build`; `node sync-server/precompress.ts [dir]` by hand.
 *
 * Invariants: a compressed twin is written only when it saves at least MIN_SAVING of the file
 * (tiny files and already-dense ones stay identity-only, so the relay never serves a larger
 * body); stale twins from an earlier run are removed first; the originals are never touched.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export const COMPRESSIBLE = new Set([
	'.js',
	'.mjs',
	'.css',
	'.html',
	'.json',
	'.webmanifest',
	'.svg',
	'.txt'
]);
/** Below this a response fits one packet anyway: not worth a second and third file. */
export const MIN_BYTES = 512;
/** A twin must be at least this much smaller than the original (fraction of its size). */
export const MIN_SAVING = 0.1;

export const ENCODINGS = [
	{ name: 'br', suffix: '.br' },
	{ name: 'gzip', suffix: '.gz' }
] as const;

function compress(encoding: 'br' | 'gzip', data: Buffer): Buffer {
	if (encoding === 'gzip') return gzipSync(data, { level: 9 });
	return brotliCompressSync(data, {
		params: {
			[constants.BROTLI_PARAM_QUALITY]: 11,
			[constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
			[constants.BROTLI_PARAM_SIZE_HINT]: data.length
		}
	});
}

function* walk(dir: string): Generator<string> {
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) yield* walk(full);
		else if (entry.isFile()) yield full;
	}
}

export type PrecompressSummary = {
	files: number;
	rawBytes: number;
	brBytes: number;
	gzipBytes: number;
};

/** Writes the twins for every compressible file under `dir`; returns what it did. */
export function precompressDir(dir: string): PrecompressSummary {
	const summary: PrecompressSummary = { files: 0, rawBytes: 0, brBytes: 0, gzipBytes: 0 };
	const files = [...walk(dir)];
	for (const file of files) {
		if (ENCODINGS.some((e) => file.endsWith(e.suffix))) fs.rmSync(file);
	}
	for (const file of files) {
		if (ENCODINGS.some((e) => file.endsWith(e.suffix))) continue;
		if (!COMPRESSIBLE.has(path.extname(file).toLowerCase())) continue;
		const data = fs.readFileSync(file);
		if (data.length < MIN_BYTES) continue;
		let wrote = false;
		for (const { name, suffix } of ENCODINGS) {
			const packed = compress(name, data);
			if (packed.length > data.length * (1 - MIN_SAVING)) continue;
			fs.writeFileSync(file + suffix, packed);
			wrote = true;
			if (name === 'br') summary.brBytes += packed.length;
			else summary.gzipBytes += packed.length;
		}
		if (wrote) {
			summary.files++;
			summary.rawBytes += data.length;
		}
	}
	return summary;
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const dir = path.resolve(process.argv[2] ?? 'build');
	if (!fs.existsSync(dir)) {
		console.error(`precompress: ${dir} does not exist (run vite build first)`);
		process.exit(1);
	}
	const s = precompressDir(dir);
	const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
	console.log(
		`precompress: ${s.files} files, ${kb(s.rawBytes)} raw → ${kb(s.brBytes)} brotli, ${kb(s.gzipBytes)} gzip`
	);
}
