/**
 * "Saved on the server" means on disk: after a persisted confirmation, `kill -9` of the relay
 * process loses nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
	connectSynced,
	killHard,
	makeTempDir,
	removeDir,
	spawnRelay,
	trackPersisted,
	waitFor,
	type ChildRelay
} from './test-helpers.ts';

const DOC = 'c/demo/households/g01';
const ITERATIONS = 5;

let child: ChildRelay | null = null;
let dataDir = '';
afterEach(async () => {
	if (child) await killHard(child.child);
	removeDir(dataDir);
});

describe('durability', () => {
	it('a confirmed edit survives kill -9 of the relay, repeatedly', async () => {
		dataDir = makeTempDir();
		const env = { DATA_DIR: dataDir, STATIC_DIR: `${dataDir}/no-build` };
		for (let i = 0; i < ITERATIONS; i++) {
			child = await spawnRelay(env);
			const client = await connectSynced(child.wsUrl, DOC);
			const persisted = trackPersisted(client.provider);
			// Everything confirmed before the previous kill is here after the restart.
			expect(client.doc.getArray<string>('edits').toArray()).toEqual(
				Array.from({ length: i }, (_, n) => `edit-${n}`)
			);
			client.doc.getArray<string>('edits').push([`edit-${i}`]);
			client.doc.getMap('fields').set(`f${i}`, 'x'.repeat(100 * (i + 1)));
			await waitFor(() => persisted.covers(client.doc), 5000, `confirmation ${i}`);
			await killHard(child.child);
			child = null;
			client.destroy();
		}
		child = await spawnRelay(env);
		const last = await connectSynced(child.wsUrl, DOC);
		expect(last.doc.getArray<string>('edits').toArray()).toEqual(
			Array.from({ length: ITERATIONS }, (_, n) => `edit-${n}`)
		);
		expect(last.doc.getMap('fields').size).toBe(ITERATIONS);
		last.destroy();
	});
});
