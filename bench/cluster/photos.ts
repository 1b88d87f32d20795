/**
 * `npm run bench:photos`: where photos live in cluster mode (issue 22: "on a shared directory or
 * in PostgreSQL, say which, and why"). The same relay (`sync-server/main.ts`, a child process
 * pinned to core 1 with taskset) serves photos from local disk (embedded mode, DATA_DIR/blobs)
 * and from PostgreSQL (cluster mode: REDIS_URL and DATABASE_URL on the private servers of
 * sync-server/cluster/test-servers.ts, data on this machine's disk, durable settings).
 *
 * Per store and repeat: `--photos` uploads (PUT, 201 answered once durable) of realistic photos
 * (random bytes, incompressible like a JPEG, 200–500 KB, JPEG magic), one after another, then
 * the same over `--writers` concurrent clients; then the downloads (GET, whole body read) of
 * those photos, sequential and concurrent. Latency is from the request to the last byte of the
 * answer. Prints p50/p99 (ms), photos/s and MB/s per case as the median of the repeats, with the
 * machine's load: the figures are noisy on a shared machine.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import os from 'node:os';
import { startTestPostgres, startTestRedis } from '../../sync-server/cluster/test-servers.ts';
import { makeTempDir, mintTokenFor, removeDir } from '../../sync-server/test-helpers.ts';
import { option } from '../app-harness.ts';
import { startRelayProcess } from '../relay-process.ts';
import { median, percentile } from '../relay/proc.ts';

const PHOTOS = option('photos', 60);
const WRITERS = option('writers', 8);
const REPEATS = option('repeats', 3);

type Run = { p50: number; p99: number; perSecond: number; mbPerSecond: number };
type Photo = { bytes: Buffer; hash: string };

function photo(): Photo {
	const bytes = crypto.randomBytes(200_000 + crypto.randomInt(300_001));
	bytes.set([0xff, 0xd8, 0xff, 0xe0], 0);
	return { bytes, hash: crypto.createHash('sha256').update(bytes).digest('hex') };
}

async function measure(
	photos: Photo[],
	clients: number,
	request: (photo: Photo) => Promise<number>
): Promise<Run> {
	const latencies: number[] = [];
	let bytes = 0;
	let next = 0;
	const started = performance.now();
	await Promise.all(
		Array.from({ length: clients }, async () => {
			while (next < photos.length) {
				const item = photos[next++]!;
				const t0 = performance.now();
				const sent = await request(item);
				bytes += sent;
				latencies.push(performance.now() - t0);
			}
		})
	);
	const seconds = (performance.now() - started) / 1000;
	latencies.sort((a, b) => a - b);
	return {
		p50: percentile(latencies, 50),
		p99: percentile(latencies, 99),
		perSecond: latencies.length / seconds,
		mbPerSecond: bytes / 1e6 / seconds
	};
}

const postgres = await startTestPostgres();
const redis = await startTestRedis();

type Store = { name: string; env(): Promise<Record<string, string>> };
const STORES: Store[] = [
	{ name: 'local disk (embedded)', env: async () => ({}) },
	{
		name: 'PostgreSQL (cluster)',
		env: async () => ({ REDIS_URL: redis.url, DATABASE_URL: await postgres.createDatabase() })
	}
];

const CASES = ['upload, 1 client', `upload, ${WRITERS} clients`, 'download, 1 client'];
CASES.push(`download, ${WRITERS} clients`);
const results = new Map<string, Run[]>();

for (let repeat = 0; repeat < REPEATS; repeat++) {
	for (const store of STORES) {
		const dataDir = makeTempDir('gridboard-photos-');
		const token = mintTokenFor(dataDir, { communityId: 'bench', role: 'secretary' });
		const { child, origin } = await startRelayProcess({
			DATA_DIR: dataDir,
			STATIC_DIR: `${dataDir}/no-build`,
			// The bench is one client address and one token: the limits are not what it measures.
			UPLOADS_PER_MINUTE_PER_ADDRESS: '100000',
			UPLOADS_PER_MINUTE_PER_MEMBER: '100000',
			...(await store.env())
		});
		execFileSync('taskset', ['-pc', '1', String(child.pid)], { stdio: 'ignore' });
		const auth = { Authorization: `Bearer ${token}` };
		const url = (item: Photo): string => `${origin}/api/communities/bench/blobs/${item.hash}`;
		const upload = async (item: Photo): Promise<number> => {
			const answer = await fetch(url(item), {
				method: 'PUT',
				headers: { ...auth, 'Content-Type': 'image/jpeg' },
				body: new Uint8Array(item.bytes)
			});
			if (answer.status !== 201) throw new Error(`upload: ${answer.status}`);
			await answer.arrayBuffer();
			return item.bytes.length;
		};
		const download = async (item: Photo): Promise<number> => {
			const answer = await fetch(url(item), { headers: auth });
			if (answer.status !== 200) throw new Error(`download: ${answer.status}`);
			const body = await answer.arrayBuffer();
			if (body.byteLength !== item.bytes.length) throw new Error('download: short body');
			return body.byteLength;
		};
		const one = Array.from({ length: PHOTOS }, photo);
		const many = Array.from({ length: PHOTOS }, photo);
		const runs = [
			await measure(one, 1, upload),
			await measure(many, WRITERS, upload),
			await measure(one, 1, download),
			await measure(many, WRITERS, download)
		];
		runs.forEach((run, i) => {
			const key = `${store.name} | ${CASES[i]}`;
			results.set(key, [...(results.get(key) ?? []), run]);
		});
		child.kill('SIGTERM');
		await new Promise((resolve) => child.once('exit', resolve));
		removeDir(dataDir);
	}
}

await Promise.all([postgres.close(), redis.close()]);

const load = os.loadavg().map((value) => value.toFixed(2));
console.log(
	`photos 200–500 KB, ${PHOTOS} per case, ${WRITERS} concurrent clients, median of ${REPEATS} repeats; relay pinned to core 1; load ${load.join(' ')}`
);
console.log('| store | case | p50 ms | p99 ms | photos/s | MB/s |');
console.log('|---|---|---|---|---|---|');
for (const [key, runs] of results) {
	const [store, name] = key.split(' | ');
	const pick = (field: keyof Run): string => median(runs.map((run) => run[field])).toFixed(1);
	console.log(
		`| ${store} | ${name} | ${pick('p50')} | ${pick('p99')} | ${pick('perSecond')} | ${pick('mbPerSecond')} |`
	);
}
