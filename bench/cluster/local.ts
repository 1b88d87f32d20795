/**
 * `npm run cluster:local`: a small cluster on this machine for a developer (README, "Run a small
 * cluster locally"): a private Redis (AOF, `appendfsync always`) and PostgreSQL with their data
 * in temporary directories (sync-server/cluster/test-servers.ts), and three relays
 * (`sync-server/main.ts` in cluster mode) on the ports docs/cluster/nginx.conf lists
 * (`LOCAL_PORTS`), each with its own DATA_DIR. Prints the URLs and how to check `/health`;
 * Ctrl-C stops the relays, then Redis and PostgreSQL, and deletes their data.
 *
 * Invariants: the relays start one after another, so the first seeds PostgreSQL with its signing
 * keys and the others take them (a token of any relay opens documents on every relay); only the
 * first creates the `demo` community (members are per relay until identity is clustered:
 * docs/cluster-status.md); whatever fails part-way stops what started.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestPostgres, startTestRedis } from '../../sync-server/cluster/test-servers.ts';
import { startRelayProcess } from '../relay-process.ts';

/** The relays' ports, as docs/cluster/nginx.conf's upstream lists them. */
export const LOCAL_PORTS = [8801, 8802, 8803];

export type LocalCluster = {
	redisUrl: string;
	databaseUrl: string;
	/** Each relay's origin (http://127.0.0.1:<port>) and DATA_DIR. */
	relays: string[];
	dataDirs: string[];
	close(): Promise<void>;
};

/** Starts Redis, PostgreSQL and one relay per port (0: any free port, for tests). */
export async function startLocalCluster(
	ports: number[] = LOCAL_PORTS,
	log: (line: string) => void = () => {}
): Promise<LocalCluster> {
	const [redis, postgres] = await Promise.all([startTestRedis(), startTestPostgres()]);
	const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gridboard-cluster-'));
	const children: ChildProcess[] = [];
	const close = async () => {
		await Promise.all(
			children.map(
				(child) =>
					new Promise((resolve) => {
						if (child.exitCode !== null || child.signalCode !== null) return resolve(null);
						child.once('exit', resolve);
						child.kill('SIGTERM');
					})
			)
		);
		await Promise.all([redis.close(), postgres.close()]);
		fs.rmSync(root, { recursive: true, force: true });
	};
	try {
		const databaseUrl = await postgres.createDatabase();
		const relays: string[] = [];
		const dataDirs: string[] = [];
		for (const [i, port] of ports.entries()) {
			const dataDir = path.join(root, `relay-${i + 1}`);
			const { child, origin } = await startRelayProcess({
				PORT: String(port),
				DATA_DIR: dataDir,
				REDIS_URL: redis.url,
				DATABASE_URL: databaseUrl,
				TRUST_PROXY: 'on',
				BOOTSTRAP: i === 0 ? 'on' : 'off'
			});
			children.push(child);
			relays.push(origin);
			dataDirs.push(dataDir);
			log(`relay ${i + 1}: ${origin} (DATA_DIR ${dataDir})`);
		}
		return { redisUrl: redis.url, databaseUrl, relays, dataDirs, close };
	} catch (error) {
		await close();
		throw error;
	}
}

if (import.meta.main) {
	const cluster = await startLocalCluster(LOCAL_PORTS, console.log);
	console.log(`Redis:      ${cluster.redisUrl} (AOF, appendfsync always)`);
	console.log(`PostgreSQL: ${cluster.databaseUrl}`);
	console.log(`Check:      ${cluster.relays.map((r) => `curl ${r}/health`).join('; ')}`);
	console.log(
		`Sign in:    DATA_DIR=${cluster.dataDirs[0]} npm run admin -- create-community "<name>" prints a link (members live on relay 1 for now)`
	);
	console.log('A proxy in front of them: docs/cluster/nginx.conf. Ctrl-C stops everything.');
	let stopping = false;
	const stop = () => {
		if (stopping) return;
		stopping = true;
		void cluster.close().then(() => process.exit(0));
	};
	process.once('SIGINT', stop);
	process.once('SIGTERM', stop);
}
