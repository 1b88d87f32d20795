/**
 * Shared by the archive, backup and fault tests: a community with real content written by real
 * clients through a real relay (a directory map, a board, meeting minutes as rich text), photos
 * uploaded over HTTP, a member who joined with an invite, a basemap file; the admin CLI run as
 * a child process; the state of a data dir read back for comparisons.
 *
 * Invariant: waits for conditions (persisted confirmations, printed lines), never for time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import * as Y from 'yjs';
import { basemapPath } from '../basemap/build.ts';
import { SqliteIdentityStore } from '../identity-sqlite.ts';
import { DB_FILE_NAME, SqliteStore } from '../storage/sqlite.ts';
import { connectSynced, trackPersisted, waitFor, type TestRelay } from '../test-helpers.ts';
import { storedPhotoHashes } from './archive.ts';

const ADMIN_FILE = fileURLToPath(new URL('../admin.ts', import.meta.url));

export type AdminRun = { code: number | null; stdout: string; stderr: string };

/** Runs `npm run admin -- …` (the same file) with DATA_DIR and extra env; resolves on exit. */
export function runAdmin(args: string[], env: Record<string, string>): Promise<AdminRun> {
	const child = spawn(process.execPath, [ADMIN_FILE, ...args], {
		env: { ...process.env, ...env },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
	child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
	return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

/** Starts the admin CLI with GRIDBOARD_PAUSE_AT and resolves once it paused there. */
export function adminPausedAt(
	args: string[],
	env: Record<string, string>,
	point: string
): Promise<ChildProcess> {
	const child = spawn(process.execPath, [ADMIN_FILE, ...args], {
		env: { ...process.env, ...env, GRIDBOARD_PAUSE_AT: point },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	return pausedLine(child, point);
}

/** Resolves when a child printed `{"event":"paused","at":point}`; rejects if it exits first. */
export function pausedLine(child: ChildProcess, point: string): Promise<ChildProcess> {
	let stderr = '';
	child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
	return new Promise((resolve, reject) => {
		child.once('exit', (code) =>
			reject(new Error(`exited with ${code} before ${point}: ${stderr}`))
		);
		createInterface({ input: child.stdout! }).on('line', (line) => {
			if (line === JSON.stringify({ event: 'paused', at: point })) resolve(child);
		});
	});
}

/** A small JPEG-looking photo (magic bytes and distinct content). */
export function photo(seed: number, size = 4096): Buffer {
	const bytes = Buffer.alloc(size, seed);
	bytes.set([0xff, 0xd8, 0xff, 0xe0], 0);
	bytes.writeUInt32BE(seed, 8);
	return bytes;
}

export const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

export async function uploadPhoto(
	url: string,
	community: string,
	token: string,
	bytes: Buffer
): Promise<string> {
	const hash = sha256(bytes);
	const res = await fetch(`${url}/api/communities/${community}/blobs/${hash}`, {
		method: 'PUT',
		headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'image/jpeg' },
		body: new Uint8Array(bytes)
	});
	if (res.status !== 201) throw new Error(`upload: ${res.status}`);
	return hash;
}

/** Writes `edit` into a document through a real client and waits for its confirmation. */
export async function writeDoc(
	wsUrl: string,
	docName: string,
	edit: (doc: Y.Doc) => void,
	token?: string
): Promise<void> {
	const client = await connectSynced(wsUrl, docName, token);
	const persisted = trackPersisted(client.provider);
	client.doc.transact(() => edit(client.doc));
	await waitFor(() => persisted.covers(client.doc), 5000, `${docName} confirmed`);
	client.destroy();
}

export const SEEDED_DOCS = ['directory', 'board/g01', 'meetings/m1'];

/**
 * Community `cid` created on relay `r` (embedded or cluster) and seeded by `seedCommunity`, with
 * the secretary's token and the one-time invite's code.
 */
export async function seedOn(
	r: TestRelay,
	cid: string
): Promise<{ token: string; inviteCode: string; photos: string[]; credentialSecret: string }> {
	const { inviteCode } = await r.relay.createCommunityAsync('玉城社区', cid);
	const token = r.relay.mintToken({ communityId: cid, role: 'secretary', ttlSeconds: 3600 });
	const url = r.relay.url;
	const seed = await seedCommunity({
		url,
		wsUrl: r.wsUrl,
		dataDir: r.dataDir,
		cid,
		token,
		inviteCode
	});
	return { token, inviteCode, ...seed };
}

/**
 * Seeds community `cid` through a relay: three documents (map, arrays, rich text), two photos
 * (one referenced by the board), a member who joined with `inviteCode`, and a basemap file.
 */
async function seedCommunity(input: {
	url: string;
	wsUrl: string;
	dataDir: string;
	cid: string;
	token: string;
	inviteCode: string;
}): Promise<{ photos: string[]; credentialSecret: string }> {
	const { url, wsUrl, cid, token } = input;
	const photos = [
		await uploadPhoto(url, cid, token, photo(1)),
		await uploadPhoto(url, cid, token, photo(2))
	];
	await writeDoc(
		wsUrl,
		`c/${cid}/directory`,
		(doc) => {
			doc.getMap('grids').set('g01', { name: '第一网格' });
			doc.getMap('settings').set('name', '玉城社区');
		},
		token
	);
	await writeDoc(
		wsUrl,
		`c/${cid}/board/g01`,
		(doc) => {
			const cases = doc.getMap<Y.Map<unknown>>('cases');
			const one = new Y.Map<unknown>();
			cases.set('k1', one);
			one.set('title', '楼道堆物');
			one.set('photos', [photos[0]]);
			doc.getArray('log').push(['created', 'assigned']);
			doc.getArray('log').delete(0, 1);
		},
		token
	);
	await writeDoc(
		wsUrl,
		`c/${cid}/meetings/m1`,
		(doc) => {
			const paragraph = new Y.XmlElement('paragraph');
			paragraph.insert(0, [new Y.XmlText('议题：加装电梯')]);
			doc.getXmlFragment('minutes').insert(0, [paragraph]);
		},
		token
	);
	const joined = await fetch(`${url}/api/join`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ code: input.inviteCode, displayName: '李书记', deviceId: 'phone-1' })
	});
	if (joined.status !== 200) throw new Error(`join: ${joined.status}`);
	const body = (await joined.json()) as { credential: { secret: string } };
	const file = basemapPath(input.dataDir, cid);
	fs.mkdirSync(path.dirname(file), { recursive: true });
	fs.writeFileSync(file, Buffer.from('PMTiles fixture bytes'));
	return { photos, credentialSecret: body.credential.secret };
}

export type DataState = {
	communities: string[];
	/** Document name → base64 state vector. */
	docs: Map<string, string>;
	/** Community → photo hashes. */
	photos: Map<string, string[]>;
};

/** What a (stopped or running) relay data dir holds: communities, documents, photos. */
export async function readDataState(dataDir: string): Promise<DataState> {
	const store = new SqliteStore(dataDir);
	const identity = new SqliteIdentityStore(dataDir);
	try {
		const docs = new Map<string, string>();
		for (const name of store.docNames()) {
			const stored = store.load(name);
			const doc = new Y.Doc();
			if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
			for (const update of stored.updates) Y.applyUpdate(doc, update);
			docs.set(name, Buffer.from(Y.encodeStateVector(doc)).toString('base64'));
			doc.destroy();
		}
		const communities = identity.listCommunities().map((c) => c.id);
		const photos = new Map<string, string[]>();
		for (const id of communities) photos.set(id, await storedPhotoHashes(dataDir, id));
		return { communities, docs, photos };
	} finally {
		identity.close();
		store.close();
	}
}

/** Every file under a dir, relative, sorted (for "nothing was written" checks). */
export function listTree(dir: string): string[] {
	if (!fs.existsSync(dir)) return [];
	return (fs.readdirSync(dir, { recursive: true }) as string[])
		.filter((name) => fs.statSync(path.join(dir, name)).isFile())
		.sort();
}

/**
 * Grows a relay's database by about `megabytes` MB of incompressible history rows of one
 * document (`pad`), through a side connection (the relay may be running: WAL), so a backup has
 * a sizeable file to copy and check. Real history rows are merged Yjs updates of this shape.
 */
export function padDatabase(dataDir: string, megabytes: number): void {
	const db = new DatabaseSync(path.join(dataDir, DB_FILE_NAME));
	try {
		db.exec('PRAGMA busy_timeout = 5000');
		const rows = Math.ceil((megabytes * 1e6) / 4000);
		db.prepare(
			`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
			INSERT INTO history (doc, hour, seq, data) SELECT 'pad', 0, -i, randomblob(4000) FROM n`
		).run(rows);
		db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
	} finally {
		db.close();
	}
}
