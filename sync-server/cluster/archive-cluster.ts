/**
 * Community archives on a cluster (issue 22): the `ArchiveSource` and `ArchiveTarget` of
 * backup/archive.ts on the cluster's PostgreSQL and Redis, so `admin export-community` and
 * `import-community` with REDIS_URL and DATABASE_URL set read and write what every relay
 * serves. The archive code (format, checks, staging, refusals) is backup/archive.ts's, shared
 * with the embedded relay: an archive of either imports into the other.
 *
 * Export reads, per document, what a relay loading it gets (`DocStreams.load`: the PostgreSQL
 * snapshot and log, then the stream entries not folded yet), so edits still only in Redis are
 * in the archive; members (no secrets) from PostgreSQL identity; photos from the PostgreSQL blob
 * store. Basemaps stay files under DATA_DIR, as on the embedded relay.
 *
 * Import's commit point is ONE PostgreSQL transaction: the community row, its fresh one-time
 * secretary invite, every document (its snapshot, upto_seq 0, and its history baseline, as the
 * embedded import writes them) and every photo (blobs rows). Nothing goes to Redis: a new
 * community has no stream, and a relay loading one of its documents finds the snapshot.
 *
 * Invariants:
 * - A refused import writes nothing: the id is refused before anything is written if
 *   PostgreSQL holds its community or any document of it, or Redis a stream of one; the
 *   transaction checks the community and documents again and rolls back on any error.
 * - Crash mid-import: before COMMIT, PostgreSQL holds nothing of the import (the transaction
 *   dies with its connection); only the staging dir under DATA_DIR/imports (the basemap) is left,
 *   deleted by the next import or relay start. After COMMIT, the community, documents and photos
 *   are all there; a staged basemap not yet moved is moved by the next `import-community` or the
 *   next start of a cluster relay on that DATA_DIR (`recoverImports` with `hasCommunity`).
 */
import * as Y from 'yjs';
import { PostgresBlobStore, insertBlob } from '../blob-store-postgres.ts';
import { insertCommunity, PostgresIdentityStore } from '../identity-postgres.ts';
import { hourOf } from '../storage/history.ts';
import { insertDocRows, openPool, PostgresStore, transaction } from '../storage/postgres.ts';
import {
	ArchiveError,
	archivedMember,
	type ArchiveSource,
	type ArchiveTarget
} from '../backup/archive.ts';
import { DocStreams, ready } from './doc-streams.ts';

export type ClusterArchive = { source: ArchiveSource; target: ArchiveTarget };

/**
 * Opens the cluster's stores for an archive export or import (`close` on either closes them
 * all). `prefix`: the Redis key prefix of the cluster (default `gridboard`, the relays').
 */
export async function openClusterArchive(options: {
	redisUrl: string;
	databaseUrl: string;
	prefix?: string;
}): Promise<ClusterArchive> {
	const pool = openPool(options.databaseUrl);
	let store: PostgresStore | null = null;
	let identity: PostgresIdentityStore | null = null;
	let streams: DocStreams | null = null;
	let closed = false;
	const close = async (): Promise<void> => {
		if (closed) return;
		closed = true;
		streams?.close();
		await identity?.close();
		await store?.close();
		await pool.end();
	};
	let blobs: PostgresBlobStore;
	try {
		// Each open brings its tables up to date, as a relay's start does.
		store = await PostgresStore.open(options.databaseUrl);
		identity = await PostgresIdentityStore.open(options.databaseUrl);
		blobs = await PostgresBlobStore.open(pool);
		streams = new DocStreams({
			url: options.redisUrl,
			prefix: options.prefix,
			relayId: 'admin-archive',
			store
		});
		await ready(streams.redis);
	} catch (error) {
		await close();
		throw error;
	}
	const docStreams = streams;
	const docStore = store;
	const ids = identity;

	/** The community's documents: those in PostgreSQL and those with a stream in Redis. */
	const docNames = async (communityId: string): Promise<string[]> => {
		const prefix = `c/${communityId}/`;
		const all = new Set([...(await docStreams.docs()), ...(await docStore.docNames())]);
		return [...all].filter((name) => name.startsWith(prefix)).sort();
	};

	const source: ArchiveSource = {
		community: async (communityId) => {
			const found = await ids.getCommunity(communityId);
			if (!found) return null;
			return {
				community: { id: found.id, name: found.name, createdAt: found.createdAt },
				members: (await ids.listMembers(communityId)).map(archivedMember)
			};
		},
		documents: async (communityId) => {
			const prefix = `c/${communityId}/`;
			const out: [string, Uint8Array][] = [];
			for (const name of await docNames(communityId)) {
				const loaded = await docStreams.load(name);
				const parts = loaded.snapshot ? [loaded.snapshot, ...loaded.updates] : loaded.updates;
				// A stream emptied by a trim but not yet forgotten: no document there.
				if (parts.length === 0) continue;
				out.push([name.slice(prefix.length), Y.mergeUpdates(parts)]);
			}
			return out;
		},
		photoHashes: (communityId) => blobs.hashes(communityId),
		photo: async (communityId, hash) => {
			const blob = await blobs.open(communityId, hash);
			if (!blob) return null;
			const chunks: Buffer[] = [];
			for await (const chunk of blob.body()) chunks.push(chunk as Buffer);
			return Buffer.concat(chunks);
		},
		close
	};

	const target: ArchiveTarget = {
		taken: async (id) => {
			if (await ids.getCommunity(id)) return `community ${id} exists already`;
			if ((await docNames(id)).length > 0) return `documents of ${id} exist already`;
			return null;
		},
		hasCommunity: async (id) => (await ids.getCommunity(id)) !== null,
		stagesPhotos: false,
		commit: (plan) =>
			transaction(pool, async (client) => {
				const { community, prefix } = plan;
				const held = await client.query<{ community: boolean; docs: boolean }>(
					`SELECT EXISTS (SELECT 1 FROM communities WHERE id = $1) AS community,
					        EXISTS (SELECT 1 FROM snapshots WHERE starts_with(doc, $2))
					     OR EXISTS (SELECT 1 FROM updates WHERE starts_with(doc, $2)) AS docs`,
					[community.id, prefix]
				);
				if (held.rows[0]!.community) {
					throw new ArchiveError(`community ${community.id} exists already`);
				}
				if (held.rows[0]!.docs)
					throw new ArchiveError(`documents of ${community.id} exist already`);
				await insertCommunity(client, community, plan.invite);
				// The archive carries no history (format version 1): each document's history begins
				// with the import, its baseline being the document as imported (as embedded).
				for (const [name, update] of plan.documents) {
					await insertDocRows(client, prefix + name, {
						snapshot: { uptoSeq: 0, data: update },
						log: [],
						attribution: [],
						history: [{ hour: hourOf(plan.at), seq: 0, data: update }]
					});
				}
				for (const [hash, data] of plan.photos) {
					await insertBlob(client, community.id, hash, data, plan.at);
				}
			}),
		close
	};
	return { source, target };
}
