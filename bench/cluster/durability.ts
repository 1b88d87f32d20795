/**
 * `npm run bench:durability`: what one durable append costs on the scale-out engines (issue
 * 22's durability decision: confirm message 100 after the PostgreSQL COMMIT, or after a Redis
 * XADD with AOF `appendfsync always`), beside today's embedded SQLite store.
 *
 * Each engine runs privately (sync-server/cluster/test-servers.ts: durable settings, data in a
 * temporary directory on this machine's disk). Per engine and repeat: `--appends` appends of
 * ~100-byte updates (a typical small Yjs update), one after another (sequential), then the same
 * number spread over `--writers` concurrent writers, each on its own document; latency is from
 * the call to its durable acknowledgement. Prints p50/p99/max per case as the median of the
 * repeats, and appends/s, with the machine's load (the figures are noisy on a shared machine).
 *
 * Engines:
 * - PostgreSQL, `PostgresStore.appendBatch` (BEGIN, advisory lock, INSERT, COMMIT: 4 round
 *   trips; its pool of 10 connections), and a bare autocommit INSERT (1 round trip; a pool as
 *   large as the writers): the floor a leaner append could reach.
 * - Redis XADD (ioredis, one connection shared by the writers, as one relay would share it),
 *   and `DocStreams.append` (sync-server/cluster/doc-streams.ts: XADD + SADD in one MULTI, with
 *   origin, author and time fields; the path the cluster confirms after).
 * - SQLite (today): `SqliteStore.appendBatch` then its `sync` (fdatasync of the WAL).
 */
import crypto from 'node:crypto';
import os from 'node:os';
import { Redis } from 'ioredis';
import pg from 'pg';
import { DocStreams, ready } from '../../sync-server/cluster/doc-streams.ts';
import { startTestPostgres, startTestRedis } from '../../sync-server/cluster/test-servers.ts';
import { asAsync } from '../../sync-server/storage/async-types.ts';
import { PostgresStore } from '../../sync-server/storage/postgres.ts';
import { SqliteStore } from '../../sync-server/storage/sqlite.ts';
import { makeTempDir, removeDir } from '../../sync-server/test-helpers.ts';
import { option } from '../app-harness.ts';
import { median, percentile } from '../relay/proc.ts';

const APPENDS = option('appends', 2000);
const WRITERS = option('writers', 32);
const REPEATS = option('repeats', 3);
const UPDATE_BYTES = 100;

/** One durable append of `update` to document `doc`. */
type Append = (doc: string, update: Uint8Array) => Promise<unknown>;
type Engine = { name: string; open(): Promise<{ append: Append; close(): Promise<void> }> };

type Run = { p50: number; p99: number; max: number; perSecond: number };

async function measure(append: Append, writers: number, total: number): Promise<Run> {
	const latencies: number[] = [];
	const perWriter = Math.ceil(total / writers);
	const started = performance.now();
	await Promise.all(
		Array.from({ length: writers }, async (_, w) => {
			for (let i = 0; i < perWriter; i++) {
				const update = crypto.randomBytes(UPDATE_BYTES);
				const t0 = performance.now();
				await append(`c/bench/doc-${w}`, update);
				latencies.push(performance.now() - t0);
			}
		})
	);
	const seconds = (performance.now() - started) / 1000;
	latencies.sort((a, b) => a - b);
	return {
		p50: percentile(latencies, 50),
		p99: percentile(latencies, 99),
		max: latencies.at(-1)!,
		perSecond: latencies.length / seconds
	};
}

const postgres = await startTestPostgres();
const redis = await startTestRedis();

const ENGINES: Engine[] = [
	{
		name: 'PostgreSQL: PostgresStore.appendBatch',
		open: async () => {
			const store = await PostgresStore.open(await postgres.createDatabase());
			return {
				append: (doc, update) => store.appendBatch([{ doc, update }]),
				close: () => store.close()
			};
		}
	},
	{
		name: 'PostgreSQL: bare INSERT, autocommit',
		open: async () => {
			const url = await postgres.createDatabase();
			const pool = new pg.Pool({
				connectionString: url,
				max: WRITERS,
				options: '-c synchronous_commit=on'
			});
			await pool.query('CREATE TABLE log (seq BIGSERIAL PRIMARY KEY, doc TEXT, data BYTEA)');
			return {
				append: (doc, update) =>
					pool.query('INSERT INTO log (doc, data) VALUES ($1, $2)', [doc, update]),
				close: () => pool.end()
			};
		}
	},
	{
		name: 'Redis: XADD, appendfsync always',
		open: async () => {
			const client = new Redis(redis.url);
			await client.flushall();
			return {
				append: (doc, update) => client.xadd(doc, '*', 'u', Buffer.from(update)),
				close: async () => void (await client.quit())
			};
		}
	},
	{
		name: 'Redis: DocStreams.append (MULTI)',
		open: async () => {
			const store = await PostgresStore.open(await postgres.createDatabase());
			const streams = new DocStreams({ url: redis.url, relayId: 'bench', store });
			await ready(streams.redis);
			await streams.redis.flushall();
			return {
				append: (doc, update) => streams.append([{ doc, update, author: 'm-bench' }]),
				close: async () => {
					streams.close();
					await store.close();
				}
			};
		}
	},
	{
		name: 'SQLite (today): appendBatch + sync',
		open: async () => {
			const dir = makeTempDir('gridboard-durability-');
			const store = asAsync(new SqliteStore(dir));
			return {
				append: (doc, update) => store.appendBatch([{ doc, update }]),
				close: async () => {
					await store.close();
					removeDir(dir);
				}
			};
		}
	}
];

const results = new Map<string, Run[]>();
try {
	for (let repeat = 1; repeat <= REPEATS; repeat++) {
		// Engines alternate inside each repeat, so a burst of load hits them alike.
		for (const engine of ENGINES) {
			for (const writers of [1, WRITERS]) {
				const opened = await engine.open();
				try {
					const run = await measure(opened.append, writers, APPENDS);
					const key = `${engine.name}|${writers}`;
					results.set(key, [...(results.get(key) ?? []), run]);
					console.error(
						`repeat ${repeat} ${engine.name}, ${writers} writer(s): p50 ${run.p50.toFixed(2)} ms, p99 ${run.p99.toFixed(2)} ms, ${Math.round(run.perSecond)}/s`
					);
				} finally {
					await opened.close();
				}
			}
		}
	}
} finally {
	await redis.close();
	await postgres.close();
}

const fmt = (value: number) => value.toFixed(2);
console.log(
	`\n${APPENDS} appends of ${UPDATE_BYTES} B per case, median of ${REPEATS} repeats; ` +
		`${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, load ${os
			.loadavg()
			.map((l) => l.toFixed(2))
			.join(' ')} at the end\n`
);
console.log('| engine | writers | p50 ms | p99 ms | max ms | appends/s |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const [key, runs] of results) {
	const [name, writers] = key.split('|');
	const m = (pick: (run: Run) => number) => median(runs.map(pick));
	console.log(
		`| ${name} | ${writers} | ${fmt(m((r) => r.p50))} | ${fmt(m((r) => r.p99))} | ${fmt(m((r) => r.max))} | ${Math.round(m((r) => r.perSecond))} |`
	);
}
