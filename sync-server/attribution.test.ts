/**
 * Attributed storage through the real relay: every stored update carries the member the relay
 * authenticated (not anything the client wrote), and the record of who inserted and deleted
 * what survives the compaction the relay runs when it closes; `npm run admin -- authors` shows it.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import * as Y from 'yjs';
import { RELAY_MEMBER } from '../src/lib/wire/index.ts';
import { idRanges } from './storage/attribution.ts';
import { SqliteStore } from './storage/sqlite.ts';
import {
	connectSynced,
	removeDir,
	startTestRelay,
	waitFor,
	type TestRelay
} from './test-helpers.ts';

const ADMIN_FILE = fileURLToPath(new URL('./admin.ts', import.meta.url));

async function admin(dataDir: string, ...args: string[]): Promise<string> {
	const flags = ['--experimental-strip-types', '--experimental-sqlite'];
	const { stdout } = await promisify(execFile)(
		process.execPath,
		[...flags, '--disable-warning=ExperimentalWarning', ADMIN_FILE, ...args],
		{ env: { ...process.env, DATA_DIR: dataDir } }
	);
	return stdout;
}

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
	for (const cleanup of cleanups.reverse()) await cleanup();
	cleanups = [];
});

async function post(r: TestRelay, path: string, body: unknown): Promise<Record<string, unknown>> {
	const response = await fetch(`${r.relay.url}${path}`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify(body)
	});
	expect(response.status).toBe(200);
	return (await response.json()) as Record<string, unknown>;
}

it('the stored record names the authenticated member of each insert and deletion, across compaction', async () => {
	const r = await startTestRelay();
	cleanups.push(() => removeDir(r.dataDir));
	let open = true;
	cleanups.push(() => (open ? r.relay.close() : undefined));
	const created = r.relay.createCommunity('示例社区', 'demo');
	const joined = await post(r, '/api/join', {
		code: created.inviteCode,
		displayName: '王书记',
		deviceId: 'sec-device'
	});
	const memberId = (joined.member as { id: string }).id;
	const { token } = (await post(r, '/api/token', { credential: joined.credential })) as {
		token: string;
	};

	const doc = 'c/demo/tasks';
	const member = await connectSynced(r.wsUrl, doc, token);
	const tasks = member.doc.getArray<string>('tasks');
	tasks.push(['巡查一号楼']);
	tasks.push(['巡查二号楼']);
	tasks.delete(0, 1);
	// The service client (svc token) sees the member's edits, then adds its own.
	const service = await connectSynced(r.wsUrl, doc);
	await waitFor(() => service.doc.getArray('tasks').length === 1);
	service.doc.getArray<string>('tasks').push(['服务写入']);
	await waitFor(() => tasks.length === 2);
	member.destroy();
	service.destroy();
	// Closing flushes, compacts every room and syncs: the log rows are gone after it.
	await r.relay.close();
	open = false;

	const store = new SqliteStore(r.dataDir);
	try {
		expect(store.load(doc).updates).toEqual([]);
		const records = store.attribution(doc);
		const byAuthor = new Map(records.map((record) => [record.author, record]));
		expect([...byAuthor.keys()].sort()).toEqual([null, RELAY_MEMBER, memberId].sort());
		const mine = byAuthor.get(memberId)!;
		const client = member.doc.clientID;
		expect(idRanges(mine.inserted)).toEqual([{ client, clock: 0, len: 2 }]);
		expect(idRanges(mine.deleted)).toEqual([{ client, clock: 0, len: 1 }]);
		expect(idRanges(byAuthor.get(null)!.inserted)).toEqual([
			{ client: service.doc.clientID, clock: 0, len: 1 }
		]);
		expect(idRanges(byAuthor.get(null)!.deleted)).toEqual([]);
		// The relay's attestation map names the member's client id: the two records agree.
		const stored = new Y.Doc();
		Y.applyUpdate(stored, store.load(doc).snapshot!);
		expect(stored.getMap('attest').get(String(client))).toMatchObject({ member: memberId });
	} finally {
		store.close();
	}

	// The admin CLI reads the same record, with the member's name and role.
	const text = await admin(r.dataDir, 'authors', doc);
	const client = member.doc.clientID;
	expect(text).toContain(`${memberId} 王书记 (secretary)\n  3 updates, inserted 2 ids\n`);
	expect(text).toContain(`  deleted 1 ids: ${client}:0\n`);
	expect(text).toContain(`${RELAY_MEMBER} (the relay's attestations)`);
	const json = JSON.parse(await admin(r.dataDir, 'authors', doc, '--json')) as {
		author: string | null;
		deleted: unknown[];
		unattested: number;
	}[];
	expect(json.find((row) => row.author === memberId)).toMatchObject({
		deleted: [{ client, clock: 0, len: 1 }],
		unattested: 0
	});
	await expect(admin(r.dataDir, 'authors', 'c/demo/nonsense')).rejects.toMatchObject({ code: 2 });
	await expect(admin(r.dataDir, 'authors', 'c/other/tasks')).rejects.toMatchObject({ code: 1 });
});
