/**
 * What only the SQLite store has: a database written by an earlier version opens, keeps its
 * rows, and gains attribution (rows stored before it count as unattributed).
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
