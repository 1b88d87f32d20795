/**
 * What only the SQLite store has: a database written by an earlier version opens, keeps its
 * rows, and gains attribution (rows stored before it count as unattributed); a compaction
 * failing inside its transaction leaves neither a snapshot nor attribution records behind.
 */
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, expect, it } from 'vitest';
import * as Y from 'yjs';
import { makeTempDir, removeDir } from '../test-helpers.ts';
import { idRanges } from './attribution.ts';
import { DB_FILE_NAME, SqliteStore } from './sqlite.ts';

/** The schema before attribution (no `author` column, no attribution table). */
const SCHEMA_BEFORE_ATTRIBUTION = `
CREATE TABLE snapshots (doc TEXT PRIMARY KEY, upto_seq INTEGER NOT NULL, data BLOB NOT NULL) STRICT;
CREATE TABLE updates (seq INTEGER PRIMARY KEY AUTOINCREMENT, doc TEXT NOT NULL, data BLOB NOT NULL) STRICT;
CREATE INDEX updates_by_doc ON updates (doc, seq);
`;

let dir = '';
afterEach(() => removeDir(dir));

it('a database without attribution opens, keeps its rows and attributes new ones', () => {
	dir = makeTempDir('gridboard-migrate-');
	const doc = new Y.Doc();
	doc.clientID = 7;
	const updates: Uint8Array[] = [];
	doc.on('update', (u: Uint8Array) => updates.push(u));
	doc.getArray('timeline').push(['旧的']);
	doc.getArray('timeline').push(['新的']);

	const old = new DatabaseSync(path.join(dir, DB_FILE_NAME));
	old.exec(SCHEMA_BEFORE_ATTRIBUTION);
	old.prepare('INSERT INTO updates (doc, data) VALUES (?, ?)').run('a', updates[0]!);
	old.close();

	const store = new SqliteStore(dir);
	try {
		expect(store.load('a').updates).toEqual([updates[0]]);
		const seq = store.appendBatch([{ doc: 'a', update: updates[1]!, author: 'm-alice' }]);
		const readable = () =>
			store.attribution('a').map((r) => ({ ...r, inserted: idRanges(r.inserted) }));
		const before = readable();
		expect(before.map(({ author, updates, inserted }) => ({ author, updates, inserted }))).toEqual([
			{ author: null, updates: 1, inserted: [{ client: 7, clock: 0, len: 1 }] },
			{ author: 'm-alice', updates: 1, inserted: [{ client: 7, clock: 1, len: 1 }] }
		]);
		store.compact('a', Y.encodeStateAsUpdate(doc), seq);
		expect(readable()).toEqual(before);
	} finally {
		store.close();
	}
	// Opening again runs the migration again as a no-op.
	const again = new SqliteStore(dir);
	expect(again.attribution('a').map((r) => r.author)).toEqual([null, 'm-alice']);
	again.close();
});

it('a compaction that fails after folding the attribution leaves rows and records as they were', () => {
	dir = makeTempDir('gridboard-atomic-');
	const doc = new Y.Doc();
	doc.clientID = 9;
	const updates: Uint8Array[] = [];
	doc.on('update', (u: Uint8Array) => updates.push(u));
	doc.getArray('timeline').push(['一']);
	doc.getArray('timeline').delete(0, 1);
	const store = new SqliteStore(dir);
	try {
		const seq = store.appendBatch(updates.map((update) => ({ doc: 'a', update, author: 'm-a' })));
		const before = store.attribution('a');
		// The snapshot write fails inside the transaction, after the attribution rows were written.
		const side = new DatabaseSync(path.join(dir, DB_FILE_NAME));
		side.exec(`CREATE TRIGGER no_snapshots BEFORE INSERT ON snapshots
			BEGIN SELECT RAISE(ABORT, 'disk trouble'); END`);
		expect(() => store.compact('a', Y.encodeStateAsUpdate(doc), seq)).toThrow(/disk trouble/);
		expect(store.load('a').updates).toHaveLength(2);
		expect(store.attribution('a')).toEqual(before);
		expect(side.prepare('SELECT count(*) AS n FROM attribution').get()).toEqual({ n: 0 });
		side.exec('DROP TRIGGER no_snapshots');
		side.close();
		store.compact('a', Y.encodeStateAsUpdate(doc), seq);
		expect(store.load('a').updates).toEqual([]);
		expect(store.attribution('a')).toEqual(before);
	} finally {
		store.close();
	}
});
