/**
 * Community archives through the admin CLI (`export-community`, `import-community`) against a
 * real relay's data: the round trip restores equal state vectors and photo hashes (on another
 * data dir, and on the same one under a new id), carries no secret, brings members back as a
 * list only, and a truncated, tampered, incomplete or unknown-version archive is refused with
 * nothing written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { basemapPath } from '../basemap/build.ts';
import { KEYS_FILE_NAME } from '../tokens.ts';
import {
	connectSynced,
	makeTempDir,
	removeDir,
	startTestRelay,
	type TestRelay
} from '../test-helpers.ts';
import { readArchive, type Manifest } from './archive.ts';
import { listTree, readDataState, runAdmin, SEEDED_DOCS, seedOn } from './test-fixture.ts';

const dirs: string[] = [];
let r: TestRelay | null = null;
afterEach(async () => {
	await r?.relay.close();
	r = null;
	for (const dir of dirs.splice(0)) removeDir(dir);
});

/** A relay with community `yc` seeded; returns the relay and what the seed produced. */
async function seeded() {
	r = await startTestRelay();
	dirs.push(r.dataDir);
	return { r, ...(await seedOn(r, 'yc')) };
}

function tempDir(): string {
	const dir = makeTempDir('gridboard-archive-');
	dirs.push(dir);
	return dir;
}

/** Rewrites an archive's entries (the manifest untouched unless `edit` changes it). */
function rezip(file: string, edit: (entries: Record<string, Uint8Array>) => void): string {
	const entries = unzipSync(fs.readFileSync(file));
	edit(entries);
	const out = file.replace(/\.zip$/, `-${Object.keys(entries).length}-${Math.random()}.zip`);
	fs.writeFileSync(out, zipSync(entries));
	return out;
}

describe('community archive', () => {
	it('exports while the relay serves and imports elsewhere and under a new id, exactly', async () => {
		const { r, photos, credentialSecret, inviteCode } = await seeded();
		const out = path.join(tempDir(), 'yc.zip');
		const exported = await runAdmin(['export-community', 'yc', '--out', out], {
			DATA_DIR: r.dataDir
		});
		expect(exported.stderr).toBe('');
		expect(exported.code).toBe(0);
		expect(exported.stdout).toContain('3 documents, 2 photos, 1 members, basemap yes');

		const bytes = fs.readFileSync(out);
		const archive = readArchive(bytes);
		expect(archive.manifest.counts).toEqual({ documents: 3, photos: 2, members: 1, basemap: 1 });
		expect([...archive.documents.keys()].sort()).toEqual([...SEEDED_DOCS].sort());
		expect(archive.members).toEqual([
			expect.objectContaining({ displayName: '李书记', role: 'secretary', removedAt: null })
		]);
		// No secret travels: not the member's device secret, not the invite, not the signing keys.
		const text = Buffer.from(
			Object.values(unzipSync(bytes)).reduce(
				(all, part) => Buffer.concat([all, part]),
				Buffer.alloc(0)
			)
		).toString('latin1');
		expect(text).not.toContain(credentialSecret);
		expect(text).not.toContain(inviteCode);
		const keys = JSON.parse(fs.readFileSync(path.join(r.dataDir, KEYS_FILE_NAME), 'utf8')) as {
			keys: { secret: string }[];
		};
		for (const key of keys.keys) expect(text).not.toContain(key.secret);
		// The readable rendering: maps, arrays and rich text.
		const board = JSON.parse(Buffer.from(unzipSync(bytes)['documents/board/g01.json']!).toString());
		expect(board).toEqual({
			cases: { k1: { title: '楼道堆物', photos: [photos[0]] } },
			log: ['assigned']
		});
		const minutes = JSON.parse(
			Buffer.from(unzipSync(bytes)['documents/meetings/m1.json']!).toString()
		);
		expect(minutes.minutes).toBe('<paragraph>议题：加装电梯</paragraph>');

		const before = await readDataState(r.dataDir);
		// Another relay's data dir, same id.
		const other = tempDir();
		const imported = await runAdmin(['import-community', out], { DATA_DIR: other });
		expect(imported.stderr).toBe('');
		expect(imported.code).toBe(0);
		expect(imported.stdout).toContain('Members do not come back signed in');
		expect(imported.stdout).toMatch(/李书记\tsecretary/);
		const after = await readDataState(other);
		expect(after.communities).toEqual(['yc']);
		expect(after.docs).toEqual(before.docs);
		expect(after.photos.get('yc')).toEqual(before.photos.get('yc'));
		expect(fs.readFileSync(basemapPath(other, 'yc'))).toEqual(
			fs.readFileSync(basemapPath(r.dataDir, 'yc'))
		);
		expect(fs.existsSync(path.join(other, 'imports'))).toBe(true);
		expect(fs.readdirSync(path.join(other, 'imports'))).toEqual([]);

		// The same data dir, while the relay runs, under a new id: names change prefix only.
		const renamed = await runAdmin(['import-community', out, '--id', 'yc2'], {
			DATA_DIR: r.dataDir
		});
		expect(renamed.code).toBe(0);
		const both = await readDataState(r.dataDir);
		for (const name of SEEDED_DOCS) {
			expect(both.docs.get(`c/yc2/${name}`)).toBe(before.docs.get(`c/yc/${name}`));
		}
		expect(both.photos.get('yc2')).toEqual(before.photos.get('yc'));
		// The running relay serves the imported community; its members are not members there.
		expect(r.relay.identity.listMembers('yc2')).toEqual([]);
		const token = r.relay.mintToken({ communityId: 'yc2', role: 'secretary' });
		const client = await connectSynced(r.wsUrl, 'c/yc2/board/g01', token);
		expect(client.doc.getMap('cases').toJSON()).toEqual(board.cases);
		client.destroy();

		// Onto an existing id: refused.
		const again = await runAdmin(['import-community', out, '--id', 'yc2'], {
			DATA_DIR: r.dataDir
		});
		expect(again.code).toBe(1);
		expect(again.stderr).toContain('community yc2 exists already');
	});

	it('refuses a truncated, tampered, incomplete, padded or unknown-version archive and writes nothing', async () => {
		const { r } = await seeded();
		const out = path.join(tempDir(), 'yc.zip');
		expect(
			(await runAdmin(['export-community', 'yc', '--out', out], { DATA_DIR: r.dataDir })).code
		).toBe(0);
		const bytes = fs.readFileSync(out);
		const truncated = out.replace('.zip', '-truncated.zip');
		fs.writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.7)));
		const flipped = rezip(out, (entries) => {
			const doc = entries['documents/board/g01.yjs']!;
			doc[doc.length - 3] = doc[doc.length - 3]! ^ 0xff;
		});
		const missingPhoto = rezip(out, (entries) => {
			const photo = Object.keys(entries).find((name) => name.startsWith('photos/'))!;
			delete entries[photo];
		});
		const extra = rezip(out, (entries) => {
			entries['documents/board/g99.yjs'] = new Uint8Array([0, 0]);
		});
		const version = rezip(out, (entries) => {
			const manifest = JSON.parse(Buffer.from(entries['manifest.json']!).toString()) as Manifest;
			entries['manifest.json'] = strToU8(JSON.stringify({ ...manifest, version: 2 }));
		});
		const cases: [string, string][] = [
			[truncated, 'not a readable ZIP'],
			[flipped, 'documents/board/g01.yjs does not match its checksum'],
			[missingPhoto, 'listed in the manifest is missing'],
			[extra, 'is not in the manifest'],
			[version, 'archive format version 2 is not supported']
		];
		const target = tempDir();
		for (const [file, message] of cases) {
			for (const dataDir of [target, r.dataDir]) {
				const before = listTree(dataDir);
				const result = await runAdmin(['import-community', file, '--id', 'fresh'], {
					DATA_DIR: dataDir
				});
				expect(result.code, file).toBe(1);
				expect(result.stderr).toContain(message);
				expect(listTree(dataDir)).toEqual(before);
			}
		}
		expect((await readDataState(r.dataDir)).communities).toEqual(['yc']);
	});
});
