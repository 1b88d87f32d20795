/**
 * The data set of the data-ownership benchmarks (bench/archive/run.ts, bench/archive/backup.ts):
 * the demo community (`sync-server/demo.ts`, 360 cases, its map and meetings) plus 1,000
 * households as generic Yjs content of realistic size (households have no model yet: a map per
 * household with address, 2–4 residents, tags and a visit log with notes, ~2 KB each, in one
 * document per grid) and 200 photos: real JPEGs made by ImageMagick (`convert`, 1024×768
 * plasma fractals, ~150–250 KB); 10 distinct images, each stored 20 times with a different
 * JPEG comment so every photo has its own hash (as on a real phone, every photo is different).
 *
 * Invariant: writes straight into a stopped relay's DATA_DIR through the relay's own stores.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as Y from 'yjs';
import { blobPath } from '../../sync-server/blobs.ts';
import { SqliteStore } from '../../sync-server/storage/sqlite.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const COMMUNITY = 'yc';
const GRIDS = 12;

/** Deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const SURNAMES = '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗';
const GIVEN = '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英';
const NOTES = [
	'入户走访，老人身体状况良好，子女每周回来一次。',
	'反映楼道灯不亮，已报物业维修。',
	'独居老人，需每月上门探访，留有紧急联系人电话。',
	'家中有残疾人，已协助申请补贴。',
	'租户，登记了租赁合同信息，提醒办理居住证。'
];

function householdsUpdate(grid: number, count: number, random: () => number): Uint8Array {
	const doc = new Y.Doc();
	const pick = <T>(list: ArrayLike<T>): T => list[Math.floor(random() * list.length)]!;
	const name = (): string => pick(SURNAMES) + pick(GIVEN) + (random() < 0.5 ? pick(GIVEN) : '');
	const households = doc.getMap<Y.Map<unknown>>('households');
	for (let i = 0; i < count; i++) {
		const h = new Y.Map<unknown>();
		households.set(`h${grid}-${i}`, h);
		h.set('address', {
			compound: `${pick('东西南北')}苑小区`,
			building: 1 + Math.floor(random() * 30),
			unit: 1 + Math.floor(random() * 4),
			room: `${1 + Math.floor(random() * 18)}0${1 + Math.floor(random() * 4)}`
		});
		h.set('colour', pick(['green', 'green', 'yellow', 'red']));
		const residents = new Y.Array<unknown>();
		h.set('residents', residents);
		const n = 2 + Math.floor(random() * 3);
		for (let k = 0; k < n; k++) {
			residents.push([
				{
					name: name(),
					relation: k === 0 ? 'head' : pick(['spouse', 'child', 'parent', 'tenant']),
					idNumber: `3714${String(Math.floor(random() * 1e14)).padStart(14, '0')}`,
					phone: `13${String(Math.floor(random() * 1e9)).padStart(9, '0')}`,
					birthYear: 1940 + Math.floor(random() * 80),
					tags: random() < 0.3 ? [pick(['elderly-alone', 'disabled', 'low-income', 'veteran'])] : []
				}
			]);
		}
		const visits = new Y.Array<unknown>();
		h.set('visits', visits);
		const v = 1 + Math.floor(random() * 4);
		for (let k = 0; k < v; k++) {
			visits.push([
				{ at: 1_760_000_000_000 + Math.floor(random() * 1e10), by: name(), note: pick(NOTES) }
			]);
		}
		h.set('notes', new Y.Text(pick(NOTES) + pick(NOTES)));
	}
	return Y.encodeStateAsUpdate(doc);
}

/** A JPEG with a COM segment after SOI: the same picture, different bytes. */
function withComment(jpeg: Buffer, comment: string): Buffer {
	const text = Buffer.from(comment);
	const segment = Buffer.alloc(4 + text.length);
	segment.set([0xff, 0xfe], 0);
	segment.writeUInt16BE(text.length + 2, 2);
	segment.set(text, 4);
	return Buffer.concat([jpeg.subarray(0, 2), segment, jpeg.subarray(2)]);
}

export type Seeded = { households: number; photos: number; photoBytes: number; seedMs: number };

/** Seeds DATA_DIR `dataDir` (fresh) with the demo community, households and photos. */
export function seed(dataDir: string): Seeded {
	const started = performance.now();
	execFileSync(
		process.execPath,
		[path.join(ROOT, 'sync-server/demo.ts'), '--id', COMMUNITY, '--cases', '360'],
		{ env: { ...process.env, DATA_DIR: dataDir }, stdio: 'ignore' }
	);
	const random = prng(21);
	const store = new SqliteStore(dataDir);
	let households = 0;
	try {
		for (let grid = 0; grid < GRIDS; grid++) {
			const count = Math.floor(1000 / GRIDS) + (grid < 1000 % GRIDS ? 1 : 0);
			households += count;
			store.appendBatch([
				{
					doc: `c/${COMMUNITY}/households/g${String(grid + 1).padStart(2, '0')}`,
					update: householdsUpdate(grid, count, random)
				}
			]);
		}
	} finally {
		store.close();
	}
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gridboard-photos-'));
	let photoBytes = 0;
	let photos = 0;
	try {
		for (let base = 0; base < 10; base++) {
			const file = path.join(work, `base-${base}.jpg`);
			execFileSync('convert', [
				'-size',
				'1024x768',
				'-seed',
				String(base + 1),
				'plasma:fractal',
				'-quality',
				'90',
				file
			]);
			const jpeg = fs.readFileSync(file);
			for (let copy = 0; copy < 20; copy++) {
				const bytes = withComment(jpeg, `gridboard bench photo ${base}-${copy}`);
				const hash = createHash('sha256').update(bytes).digest('hex');
				const final = blobPath(dataDir, COMMUNITY, hash);
				fs.mkdirSync(path.dirname(final), { recursive: true });
				fs.writeFileSync(final, bytes);
				photoBytes += bytes.length;
				photos++;
			}
		}
	} finally {
		fs.rmSync(work, { recursive: true, force: true });
	}
	return { households, photos, photoBytes, seedMs: performance.now() - started };
}
