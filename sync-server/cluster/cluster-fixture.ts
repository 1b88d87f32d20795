/**
 * The set-up the cluster-mode test files share: one private Redis and PostgreSQL per file
 * (test-servers.ts), a database per file or per test, relays in this process on them, and
 * cleanups run in reverse after each test.
 *
 * Invariant: every relay and data directory a test makes is closed and removed before the next
 * test starts, and the servers are closed after the file.
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
};

/** Registers the file's hooks (call at the top level of a test file) and returns its fixture. */
export function clusterFixture(options: ClusterFixtureOptions = {}): ClusterFixture {
	const { databasePerTest = false, sharedKeys = true, relayDefaults = {} } = options;
	let redis: TestRedis | undefined;
	let postgres: TestPostgres | undefined;
	let databaseUrl: string | undefined;
	let keysDir: string | undefined;
	const cleanups: (() => unknown)[] = [];

	beforeAll(async () => {
		[redis, postgres] = await Promise.all([startTestRedis(), startTestPostgres()]);
		if (!databasePerTest) databaseUrl = await postgres.createDatabase();
		if (sharedKeys) {
			keysDir = makeTempDir();
			new KeyRing(keysDir);
		}
	}, 60_000);
	afterAll(async () => {
		await Promise.all([redis?.close(), postgres?.close()]);
		if (keysDir) removeDir(keysDir);
	});
	if (databasePerTest) {
		beforeEach(async () => {
			databaseUrl = await postgres!.createDatabase();
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
		async relay(relayOptions = {}) {
			const r = await startTestRelay({
				dataDir: fixture.dataDir(),
				redisUrl: fixture.redis.url,
				databaseUrl: fixture.databaseUrl,
				...relayDefaults,
				...relayOptions
			});
			cleanups.push(() => r.relay.close());
			return r;
		},
		three: (relayOptions) =>
			Promise.all([
				fixture.relay(relayOptions),
				fixture.relay(relayOptions),
				fixture.relay(relayOptions)
			])
	};
	return fixture;
}
