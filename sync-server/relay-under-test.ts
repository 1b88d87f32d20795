/**
 * The relay conformance suites (auth.test.ts, fuzz.test.ts, auth-fuzz.test.ts, persisted.test.ts,
 * relay.test.ts) run their same test bodies over every kind of relay: the embedded relay, and
 * each relay of a three-relay cluster on real Redis and PostgreSQL (issue 22). A mode starts a
 * relay under test and gives the tests a probe of what reached storage:
 *
 * - embedded: a relay on its SQLite store in a fresh DATA_DIR, as always, watched by a
 *   `recordingStore` (test-helpers.ts);
 * - cluster, relay k of 3: three relays on a fresh PostgreSQL database and a fresh Redis key
 *   prefix (so nothing of another test is seen: `isolated` of cluster/cluster-fixture.ts, the
 *   set-up every cluster test file shares), the test talking to relay k; the probe records
 *   what every relay of the cluster loaded (`DocStreams.load`) and appended (`DocStreams.append`,
 *   the path of every confirmation), and asks Redis and PostgreSQL what they hold.
 *
 * Invariants: a probe sees every load and append of the relay(s) it watches, as it happens
 * (synchronously with the call), so "storage never saw it" means the same in both modes; the
 * Redis and PostgreSQL servers start at most once per test file (on the first cluster relay)
 * and stop when it ends; a cluster started for a test is closed by its `close`, or else after
 * the test.
 */
import { Redis } from 'ioredis';
import type { RelayOptions } from './server.ts';
import { SqliteStore } from './storage/sqlite.ts';
import {
	makeTempDir,
	recordingStore,
	removeDir,
	startTestRelay,
	type TestRelay
} from './test-helpers.ts';
import { clusterFixture, type ClusterFixture } from './cluster/cluster-fixture.ts';

/** What reached storage, seen from the tests. */
export type StorageProbe = {
	/** Documents loaded, in order (cluster: by any relay of the cluster). */
	loaded: string[];
	/** The document of every update appended, in order (cluster: by any relay). */
	appended: string[];
	/** Loaded, appended, or held by storage. */
	touched(doc: string): Promise<boolean>;
	/** The documents storage holds. */
	docNames(): Promise<string[]>;
};

export type RelayUnderTest = TestRelay & StorageProbe;

export type RelayMode = {
	/** `embedded`, or `cluster relay k of 3`. */
	name: string;
	cluster: boolean;
	/** Starts the relay under test (and its cluster); `close` stops all of it. */
	start(options?: RelayOptions): Promise<{ relay: RelayUnderTest; close(): Promise<void> }>;
};

const CLUSTER_SIZE = 3;

/**
 * The embedded mode and one mode per relay of a cluster. Call once per test file, at its top
 * level: it registers the cluster fixture's hooks (servers stopped after the file).
 */
export function relayModes(): RelayMode[] {
	const fx = clusterFixture({
		lazyServers: true,
		// Nothing is folded and trimmed: the streams hold every update appended.
		relayDefaults: { clusterCompactMs: 0 }
	});
	const embedded: RelayMode = {
		name: 'embedded',
		cluster: false,
		async start(options = {}) {
			const dataDir = makeTempDir();
			const recording = recordingStore(new SqliteStore(dataDir));
			const started = await startTestRelay({ dataDir, store: recording.store, ...options });
			return {
				relay: {
					...started,
					loaded: recording.loaded,
					appended: recording.appended,
					touched: async (doc) => recording.touched(doc),
					docNames: async () => recording.store.docNames()
				},
				async close() {
					await started.relay.close();
					removeDir(started.dataDir);
				}
			};
		}
	};
	const clustered = Array.from({ length: CLUSTER_SIZE }, (_, k): RelayMode => ({
		name: `cluster relay ${k + 1} of ${CLUSTER_SIZE}`,
		cluster: true,
		start: (options = {}) => startCluster(fx, k, options)
	}));
	return [embedded, ...clustered];
}

/** Three relays on fresh storage; relay `k` is the one under test. */
async function startCluster(
	fx: ClusterFixture,
	k: number,
	options: RelayOptions
): Promise<{ relay: RelayUnderTest; close(): Promise<void> }> {
	const cluster = await fx.isolated();
	const probe = new Redis(fx.redis.url);
	fx.defer(() => probe.disconnect());
	const loaded: string[] = [];
	const appended: string[] = [];
	const startOne = async (): Promise<TestRelay> => {
		const r = await cluster.relay(options);
		// Watch every load and append of this relay's rooms (the probe of `recordingStore`).
		const streams = r.relay.cluster!.streams;
		const load = streams.load.bind(streams);
		streams.load = (doc) => {
			loaded.push(doc);
			return load(doc);
		};
		const append = streams.append.bind(streams);
		streams.append = (entries) => {
			for (const entry of entries) appended.push(entry.doc);
			return append(entries);
		};
		return r;
	};
	// The first seeds the cluster's signing keys; the others take them.
	const started = [await startOne()];
	started.push(...(await Promise.all(Array.from({ length: CLUSTER_SIZE - 1 }, startOne))));
	const { prefix } = cluster;
	const store = started[0]!.relay.cluster!.store;
	// In the order they started (the others started together): relay k is the k-th.
	const underTest = started[k]!;
	return {
		relay: {
			...underTest,
			loaded,
			appended,
			touched: async (doc) =>
				loaded.includes(doc) ||
				appended.includes(doc) ||
				(await probe.exists(`${prefix}:doc:${doc}`)) > 0 ||
				(await store.hasDoc(doc)),
			docNames: async () => {
				const inStreams = await probe.smembers(`${prefix}:docs`);
				return [...new Set([...inStreams, ...(await store.docNames())])].sort();
			}
		},
		async close() {
			for (const r of started) await r.relay.close();
		}
	};
}
