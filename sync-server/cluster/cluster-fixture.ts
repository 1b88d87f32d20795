/**
 * The set-up the cluster-mode test files share: one private Redis and PostgreSQL per file
 * (test-servers.ts), a database per file or per test (or per `isolated` cluster, which has a
 * Redis key prefix of its own too), relays in this process on them, and cleanups run in reverse
 * after each test.
 *
 * Invariant: every relay and data directory a test makes is closed and removed before the next
 * test starts, and the servers are closed after the file (started before it, or on first use
 * with `lazyServers`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { RelayOptions } from '../server.ts';
import { makeTempDir, removeDir, startTestRelay, type TestRelay } from '../test-helpers.ts';
import { KEYS_FILE_NAME, KeyRing } from '../tokens.ts';
import {
	startTestPostgres,
	startTestRedis,
	type TestPostgres,
	type TestRedis
} from './test-servers.ts';

export type ClusterFixtureOptions = {
	/** A fresh database for each test (default: one for the file). */
	databasePerTest?: boolean;
	/**
	 * Every relay starts with the same signing keys in its DATA_DIR (default true), so a token
	 * minted from any relay's DATA_DIR (e.g. by `spawnRelay`, before its child has started) holds
	 * on all; false: each relay makes its own and the first seeds the cluster's.
	 */
	sharedKeys?: boolean;
	/** Options every relay of the file starts with (a test's own options override them). */
	relayDefaults?: RelayOptions;
	/**
	 * Start the servers when a test first needs them, not before the file (a file whose tests
	 * run on other relays too, relay-under-test.ts, starts none when only those run).
	 */
	lazyServers?: boolean;
};

/** Relays on a database and Redis key prefix of their own (`ClusterFixture.isolated`). */
export type IsolatedCluster = {
	readonly databaseUrl: string;
	/** The Redis key prefix of its relays (`clusterPrefix`). */
	readonly prefix: string;
	/** A relay of this cluster, closed after the test. */
	relay(options?: RelayOptions): Promise<TestRelay>;
};

export type ClusterFixture = {
	readonly redis: TestRedis;
	readonly postgres: TestPostgres;
	/** The database of the file, or of the current test. */
	readonly databaseUrl: string;
	/** Runs `cleanup` after the current test, the last registered first. */
	defer(cleanup: () => unknown): void;
	/** A data directory removed after the test, holding the shared keys unless told otherwise. */
	dataDir(): string;
	/** A relay in cluster mode on the file's servers, closed after the test. */
	relay(options?: RelayOptions): Promise<TestRelay>;
	/** Three such relays. */
	three(options?: RelayOptions): Promise<TestRelay[]>;
	/**
	 * A cluster that sees nothing of any other: a fresh database and Redis key prefix on the
	 * file's servers, for the relays started through it.
	 */
	isolated(): Promise<IsolatedCluster>;
};

/** Registers the file's hooks (call at the top level of a test file) and returns its fixture. */
export function clusterFixture(options: ClusterFixtureOptions = {}): ClusterFixture {
	const {
		databasePerTest = false,
		sharedKeys = true,
		relayDefaults = {},
		lazyServers = false
	} = options;
	let redis: TestRedis | undefined;
	let postgres: TestPostgres | undefined;
	let databaseUrl: string | undefined;
	let keysDir: string | undefined;
	let isolations = 0;
	const cleanups: (() => unknown)[] = [];

	let starting: Promise<void> | null = null;
	const startServers = (): Promise<void> =>
		(starting ??= (async () => {
			[redis, postgres] = await Promise.all([startTestRedis(), startTestPostgres()]);
			databaseUrl = await postgres.createDatabase();
		})());
	beforeAll(async () => {
		if (sharedKeys) {
			keysDir = makeTempDir();
			new KeyRing(keysDir);
		}
		if (!lazyServers) await startServers();
	}, 60_000);
	// Generous: under a machine's heavy load, stopping both servers once took over 30 s.
	afterAll(async () => {
		await starting?.catch(() => {});
		await Promise.all([redis?.close(), postgres?.close()]);
		if (keysDir) removeDir(keysDir);
	}, 120_000);
	if (databasePerTest) {
		beforeEach(async () => {
			// The first test of lazy servers gets the database made when they start.
			if (postgres) databaseUrl = await postgres.createDatabase();
		});
	}
	afterEach(async () => {
		for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
	});

	const started = <T>(value: T | undefined, what: string): T => {
		if (value === undefined) throw new Error(`cluster fixture: ${what} is not started yet`);
		return value;
	};
	const fixture: ClusterFixture = {
		get redis() {
			return started(redis, 'Redis');
		},
		get postgres() {
			return started(postgres, 'PostgreSQL');
		},
		get databaseUrl() {
			return started(databaseUrl, 'the database');
		},
		defer: (cleanup) => void cleanups.push(cleanup),
		dataDir() {
			const dir = makeTempDir();
			if (keysDir) {
				fs.copyFileSync(path.join(keysDir, KEYS_FILE_NAME), path.join(dir, KEYS_FILE_NAME));
			}
			cleanups.push(() => removeDir(dir));
			return dir;
		},
		relay: (relayOptions) => startRelay(null, relayOptions),
		three: (relayOptions) =>
			Promise.all([
				fixture.relay(relayOptions),
				fixture.relay(relayOptions),
				fixture.relay(relayOptions)
			]),
		async isolated() {
			await startServers();
			const own = {
				databaseUrl: await fixture.postgres.createDatabase(),
				prefix: `isolated${++isolations}`
			};
			return { ...own, relay: (relayOptions) => startRelay(own, relayOptions) };
		}
	};
	/** A relay on the file's (or test's) database, or on an isolated cluster's database and prefix. */
	const startRelay = async (
		own: { databaseUrl: string; prefix: string } | null,
		relayOptions: RelayOptions = {}
	): Promise<TestRelay> => {
		await startServers();
		const r = await startTestRelay({
			dataDir: fixture.dataDir(),
			redisUrl: fixture.redis.url,
			databaseUrl: own?.databaseUrl ?? fixture.databaseUrl,
			...(own ? { clusterPrefix: own.prefix } : {}),
			...relayDefaults,
			...relayOptions
		});
		cleanups.push(() => r.relay.close());
		return r;
	};
	return fixture;
}
