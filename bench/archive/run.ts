/**
 * `npm run bench:archive`: export and import of the demo community (360 cases) plus 1,000
 * households and 200 photos (bench/archive/seed.ts), each timed, with the archive checked to
 * restore exactly (equal state vectors, equal photo hashes). Budget: each ≤ 10 s.
 *
 * Invariant: the timed steps are the admin commands' own functions (sync-server/backup/
 * archive.ts), run in this process on fresh temp dirs; the figures go to docs/benchmarks.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as Y from 'yjs';
import {
	exportCommunity,
	importCommunity,
	readArchive,
	storedPhotoHashes
} from '../../sync-server/backup/archive.ts';
import { SqliteStore } from '../../sync-server/storage/sqlite.ts';
import { COMMUNITY, seed } from './seed.ts';

const BUDGET_MS = 10_000;

function stateVectors(dataDir: string, prefix: string): Map<string, string> {
	const store = new SqliteStore(dataDir);
	try {
		const out = new Map<string, string>();
		for (const name of store.docNames().filter((n) => n.startsWith(prefix))) {
			const stored = store.load(name);
			const doc = new Y.Doc();
			if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
			for (const update of stored.updates) Y.applyUpdate(doc, update);
			out.set(name.slice(prefix.length), Buffer.from(Y.encodeStateVector(doc)).toString('hex'));
		}
		return out;
	} finally {
		store.close();
	}
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gridboard-bench-archive-'));
try {
	const source = path.join(work, 'source');
	const seeded = seed(source);
	console.log(
		`seeded: demo community + ${seeded.households} households + ${seeded.photos} photos (${(seeded.photoBytes / 1e6).toFixed(1)} MB) in ${Math.round(seeded.seedMs)} ms`
	);
	const out = path.join(work, 'yc.zip');
	let t = performance.now();
	const exported = await exportCommunity({ dataDir: source, communityId: COMMUNITY, out });
	const exportMs = performance.now() - t;

	const target = path.join(work, 'target');
	t = performance.now();
	const archive = readArchive(fs.readFileSync(out));
	await importCommunity({ dataDir: target, archive });
	const importMs = performance.now() - t;

	const before = stateVectors(source, `c/${COMMUNITY}/`);
	const after = stateVectors(target, `c/${COMMUNITY}/`);
	const equalDocs =
		before.size === after.size && [...before].every(([name, sv]) => after.get(name) === sv);
	const photosBefore = await storedPhotoHashes(source, COMMUNITY);
	const photosAfter = await storedPhotoHashes(target, COMMUNITY);
	const equalPhotos = JSON.stringify(photosBefore) === JSON.stringify(photosAfter);
	const { counts } = exported.manifest;
	const result = {
		documents: counts.documents,
		photos: counts.photos,
		archiveBytes: exported.bytes,
		exportMs: Math.round(exportMs),
		importMs: Math.round(importMs),
		equalStateVectors: equalDocs,
		equalPhotos,
		withinBudget: exportMs <= BUDGET_MS && importMs <= BUDGET_MS
	};
	console.log(
		`archive: ${counts.documents} documents, ${counts.photos} photos, ${(exported.bytes / 1e6).toFixed(1)} MB`
	);
	console.log(`export ${result.exportMs} ms, import (check + write) ${result.importMs} ms`);
	console.log(`restored exactly: state vectors ${equalDocs}, photos ${equalPhotos}`);
	console.log(JSON.stringify(result));
	if (!equalDocs || !equalPhotos || !result.withinBudget) process.exitCode = 1;
} finally {
	fs.rmSync(work, { recursive: true, force: true });
}
