/**
 * Writes a seeded map community (seed.ts) into a relay's DATA_DIR and creates its identity, for
 * the map's browser tests (tests/map.spec.ts), like `npm run demo` does for the board tests:
 *
 *   DATA_DIR=… node bench/map/seed-relay.ts --id <communityId> --grids 2 --cases 6 --placed 0.7 --url <origin>
 *
 * Prints one JSON line: the community id, its grids, the cases (ids, titles, places), the grid
 * areas and buildings, and the one-time secretary sign-in link. Refuses an id that exists.
 */
import path from 'node:path';
import { createCommunity, inviteUrl } from '../../sync-server/identity.ts';
import { SqliteIdentityStore } from '../../sync-server/identity-sqlite.ts';
import { SqliteStore } from '../../sync-server/storage/sqlite.ts';
import { KeyRing } from '../../sync-server/tokens.ts';
import { boardDocName, directoryDocName } from '../../src/lib/wire/index.ts';
import { seedMap } from './seed.ts';

function option(name: string): string {
	const index = process.argv.indexOf(`--${name}`);
	const value = index >= 0 ? process.argv[index + 1] : undefined;
	if (!value) throw new Error(`--${name} is required`);
	return value;
}

const communityId = option('id');
const dataDir = path.resolve(process.env.DATA_DIR || './data');
new KeyRing(dataDir);
const identities = new SqliteIdentityStore(dataDir);
const docs = new SqliteStore(dataDir);
try {
	if (identities.getCommunity(communityId)) throw new Error(`community ${communityId} exists`);
	const seeded = seedMap({
		communityId,
		grids: Number(option('grids')),
		cases: Number(option('cases')),
		placed: Number(option('placed'))
	});
	docs.appendBatch([
		{ doc: directoryDocName(communityId), update: seeded.directory },
		...seeded.boards.map((board) => ({
			doc: boardDocName(communityId, board.gridId),
			update: board.update
		}))
	]);
	docs.syncNow();
	const created = createCommunity(identities, '地图社区', communityId, Date.now());
	console.log(
		JSON.stringify({
			communityId,
			grids: seeded.grids,
			cases: seeded.cases,
			areas: seeded.areas,
			buildings: seeded.buildings,
			inviteUrl: inviteUrl(option('url'), created.code)
		})
	);
} finally {
	docs.close();
	identities.close();
}
