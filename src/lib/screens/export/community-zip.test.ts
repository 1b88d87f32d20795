/**
 * The community ZIP's builder (issue 21, "From the app"): from documents as a device holds them,
 * every file is there — the manifest (as of per document, counts, sizes and SHA-256), each
 * document's JSON, a CSV (BOM) and XLSX per board, register, tasks and meetings that parse back
 * with the right rows, ID numbers and phones masked everywhere, the photos on the device by hash
 * and the one that is not listed as missing; progress reaches done; an abort cancels.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import Papa from 'papaparse';
import readXlsxFile from 'read-excel-file/node';
import { addGrid } from '$lib/model/directory';
import { attachCasePhoto, createCase } from '$lib/model/case';
import { createHousehold } from '$lib/model/household';
import { createMeeting, minutesFragment } from '$lib/model/meeting';
import { createTask, recordWish } from '$lib/model/work';
import { caseContext, WANG } from '$lib/model/testing/fixtures';
import { acting } from '$lib/model/testing/work-members';
import {
	household,
	householdContext,
	idNumber,
	LI,
	resident,
	T0
} from '$lib/model/household/test-fixtures';
import { HOUSEHOLD_EXPORT_COLUMNS } from '$lib/domain/household-export';
import { tableCsv, tablesXlsx } from '$lib/spreadsheets/write';
import { LEDGER_COLUMNS } from '../case/ledger-export';
import { buildCommunityZip, type CommunityZipSource } from './community-zip';
import { LABELS } from './test-labels';

const HERE = 'a'.repeat(64);
const GONE = 'b'.repeat(64);
const PHOTO_BYTES = new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3]);
const FULL_ID = idNumber('19491231', '002');
const FULL_PHONE = '13812345678';
const SECRETARY = {
	memberId: 'm-li',
	name: '李书记',
	role: 'secretary',
	deviceId: 'phone-li'
};

function must<T>(result: { ok: true; value: T } | { ok: false; reason: string }): T {
	if (!result.ok) throw new Error(result.reason);
	return result.value;
}

function community(): CommunityZipSource {
	const directory = new Y.Doc();
	const gridId = must(
		addGrid(directory, { name: '一网格' }, acting(SECRETARY, T0) as never)
	) as string;
	const board = new Y.Doc();
	const caseId = must(
		createCase(
			board,
			{ title: '楼道灯不亮', category: 'sanitation', location: '3号楼', description: '三楼' },
			caseContext(WANG, T0)
		)
	);
	for (const hash of [HERE, GONE]) {
		must(
			attachCasePhoto(
				board,
				caseId,
				{ hash, mime: 'image/jpeg', width: 10, height: 10, bytes: 6 },
				caseContext(WANG, T0 + 1)
			)
		);
	}
	createCase(board, { title: '垃圾清运', category: 'noise' }, caseContext(WANG, T0 + 2));
	const register = new Y.Doc();
	must(
		createHousehold(
			register,
			household('1栋', '101', {
				residents: [
					resident('张三', { idNumber: FULL_ID, phone: FULL_PHONE }),
					resident('李四', { relation: 'spouse' })
				]
			}),
			householdContext(LI, 'secretary', T0, [], gridId)
		)
	);
	must(
		createHousehold(
			register,
			household('1栋', '102'),
			householdContext(LI, 'secretary', T0, [], gridId)
		)
	);
	const tasks = new Y.Doc();
	must(
		createTask(
			tasks,
			{
				title: '帮独居老人买菜',
				details: '周三上午',
				place: '5号楼',
				gridId,
				due: '2026-12-09',
				volunteersNeeded: 2,
				hours: 1.5
			},
			acting(SECRETARY, T0)
		)
	);
	must(recordWish(tasks, { who: '王奶奶', what: '轮椅', gridId, hours: 1 }, acting(SECRETARY, T0)));
	const index = new Y.Doc();
	const meetingId = must(
		createMeeting(
			index,
			{ title: '楼下议事', type: 'tea_party', startsAt: T0, place: '架空层', agenda: '充电' },
			acting(SECRETARY, T0)
		)
	);
	const meeting = new Y.Doc();
	const paragraph = new Y.XmlElement('paragraph');
	paragraph.insert(0, [new Y.XmlText('同意加装充电桩')]);
	minutesFragment(meeting).insert(0, [paragraph]);
	return {
		communityId: 'demo',
		communityName: '玉城社区',
		directory: { docName: 'c/demo/directory', doc: directory, asOf: T0 + 10 },
		boards: [
			{ docName: `c/demo/board/${gridId}`, doc: board, asOf: T0 + 20, gridId, gridName: '一网格' }
		],
		registers: [
			{
				docName: `c/demo/households/${gridId}`,
				doc: register,
				asOf: null,
				gridId,
				gridName: '一网格'
			}
		],
		tasks: { docName: 'c/demo/tasks', doc: tasks, asOf: T0 + 30 },
		meetingIndex: { docName: 'c/demo/meetings/index', doc: index, asOf: T0 + 40 },
		meetings: [{ docName: `c/demo/meetings/${meetingId}`, doc: meeting, asOf: T0 + 50, meetingId }]
	};
}

const options = (progress: [number, number][] = [], signal?: AbortSignal) => ({
	labels: LABELS,
	writers: { csv: tableCsv, xlsx: tablesXlsx },
	photo: async (hash: string) =>
		hash === HERE ? { bytes: PHOTO_BYTES, mime: 'image/jpeg' } : null,
	sha256: async (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex'),
	now: T0 + 100,
	onProgress: (done: number, total: number) => progress.push([done, total]),
	...(signal ? { signal } : {})
});

const text = (bytes: Uint8Array | undefined) =>
	new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
function csvRows(bytes: Uint8Array | undefined): string[][] {
	const raw = text(bytes);
	expect(raw.charCodeAt(0)).toBe(0xfeff);
	return Papa.parse<string[]>(raw.slice(1).trim()).data;
}

/** The first sheet's rows of an XLSX file. */
async function sheetRows(bytes: Uint8Array | undefined) {
	const sheets = await readXlsxFile(Buffer.from(bytes!));
	return sheets[0]!.data;
}

describe('community ZIP', () => {
	it('writes the manifest, JSON, CSV and XLSX per document, masked, and the photos on the device', async () => {
		const source = community();
		const gridId = source.boards[0]!.gridId;
		const progress: [number, number][] = [];
		const built = must(await buildCommunityZip(source, options(progress)));
		const { files, manifest } = built;

		expect(Object.keys(files).sort()).toEqual(
			[
				'manifest.json',
				'documents/directory.json',
				`documents/board/${gridId}.json`,
				`documents/households/${gridId}.json`,
				'documents/tasks.json',
				'documents/meetings/index.json',
				`documents/${source.meetings[0]!.docName.split('/').slice(2).join('/')}.json`,
				`boards/${gridId}.csv`,
				`boards/${gridId}.xlsx`,
				`households/${gridId}.csv`,
				`households/${gridId}.xlsx`,
				'tasks.csv',
				'tasks.xlsx',
				'wishes.csv',
				'meetings.csv',
				'meetings.xlsx',
				`photos/${HERE}.jpg`
			].sort()
		);

		// The manifest: as of per document (null: never heard), counts, photos, sizes and hashes.
		expect(JSON.parse(text(files['manifest.json']))).toEqual(manifest);
		expect(manifest.generatedAt).toBe(new Date(T0 + 100).toISOString());
		const byName = new Map(manifest.documents.map((d) => [d.name, d]));
		expect(byName.get(`board/${gridId}`)).toEqual({
			name: `board/${gridId}`,
			kind: 'board',
			asOf: new Date(T0 + 20).toISOString(),
			counts: { cases: 2 }
		});
		expect(byName.get(`households/${gridId}`)?.asOf).toBeNull();
		expect(manifest.counts).toMatchObject({
			documents: 6,
			grids: 1,
			cases: 2,
			households: 2,
			residents: 2,
			tasks: 1,
			wishes: 1,
			meetings: 1,
			photos: 1,
			missingPhotos: 1
		});
		expect(manifest.photos).toEqual({ included: [HERE], missing: [GONE] });
		expect(Object.keys(manifest.files).sort()).toEqual(
			Object.keys(files)
				.filter((p) => p !== 'manifest.json')
				.sort()
		);
		for (const [path, entry] of Object.entries(manifest.files)) {
			expect(entry.bytes).toBe(files[path]!.byteLength);
			expect(entry.sha256).toBe(createHash('sha256').update(files[path]!).digest('hex'));
		}
		expect([...files[`photos/${HERE}.jpg`]!]).toEqual([...PHOTO_BYTES]);

		// The board's ledger: CSV with a BOM and XLSX, the same rows.
		const board = csvRows(files[`boards/${gridId}.csv`]);
		expect(board[0]).toEqual(LEDGER_COLUMNS.map((c) => `列:${c}`));
		expect(board.slice(1).map((row) => row[2])).toEqual(['垃圾清运', '楼道灯不亮']);
		const sheet = await sheetRows(files[`boards/${gridId}.xlsx`]);
		expect(sheet.slice(1).map((row) => row[2])).toEqual(['垃圾清运', '楼道灯不亮']);

		// Households: masked in the CSV, the XLSX and the JSON.
		const households = csvRows(files[`households/${gridId}.csv`]);
		const id = HOUSEHOLD_EXPORT_COLUMNS.indexOf('idNumber');
		const phone = HOUSEHOLD_EXPORT_COLUMNS.indexOf('phone');
		expect(households).toHaveLength(4);
		expect(households[1]![id]).toBe(`${FULL_ID.slice(0, 6)}********${FULL_ID.slice(-4)}`);
		expect(households[1]![phone]).toBe('138****5678');
		const xlsx = await sheetRows(files[`households/${gridId}.xlsx`]);
		expect(xlsx).toHaveLength(4);
		expect(xlsx[1]![id]).toBe(households[1]![id]);
		for (const [path, bytes] of Object.entries(files)) {
			if (path.startsWith('photos/') || path.endsWith('.xlsx')) continue;
			expect(text(bytes), path).not.toContain(FULL_ID);
			expect(text(bytes), path).not.toContain(FULL_PHONE);
		}

		// Tasks, wishes and meetings (the minutes' text).
		expect(csvRows(files['tasks.csv']).map((row) => row[2])).toEqual([
			'任务:title',
			'帮独居老人买菜'
		]);
		expect(csvRows(files['wishes.csv'])[1]![3]).toBe('轮椅');
		const work = await readXlsxFile(Buffer.from(files['tasks.xlsx']!));
		expect(work.map((s) => [s.sheet, s.data.length])).toEqual([
			['任务', 2],
			['心愿', 2]
		]);
		const meetings = csvRows(files['meetings.csv']);
		expect(meetings[1]![1]).toBe('楼下议事');
		expect(meetings[1]![9]).toContain('同意加装充电桩');

		// Progress: every step counted, the last one done.
		const [lastDone, lastTotal] = progress.at(-1)!;
		expect(lastDone).toBe(lastTotal);
		expect(progress.map(([done]) => done)).toEqual(progress.map((_, i) => i + 1));
	});

	it('stops with cancelled when the signal aborts', async () => {
		const controller = new AbortController();
		const progress: [number, number][] = [];
		const run = buildCommunityZip(community(), {
			...options(progress),
			onProgress: (done) => {
				progress.push([done, 0]);
				if (done === 2) controller.abort();
			},
			signal: controller.signal
		});
		expect(await run).toEqual({ ok: false, reason: 'cancelled' });
		expect(progress).toHaveLength(2);
	});
});
