/**
 * The community ZIP (issue 21, "From the app"): the secretary's copy of every document of the
 * community this device holds, built from the device's copies (offline too) into the files of
 * one ZIP (layout: docs/app-export-format.md):
 *
 *   manifest.json                       community, generated at, per document its "as of" and
 *                                       counts, photos included and missing, every file's size
 *                                       and SHA-256
 *   documents/<name>.json               each document as the model's readers see it
 *   boards/<gridId>.csv|.xlsx           each board's ledger (screens/case/ledger-export.ts)
 *   households/<gridId>.csv|.xlsx       each register, masked (domain/household-export.ts)
 *   tasks.csv, wishes.csv, tasks.xlsx   the volunteer work (zip-tables.ts)
 *   meetings.csv|.xlsx                  one row per meeting, with its minutes' text
 *   photos/<sha-256>.<ext>              every photo named in a document that is on this device
 *
 * Invariants: reads only (no command runs); ID numbers and phones leave masked everywhere, the
 * households' JSON included; a photo not on this device is listed in the manifest as missing,
 * never a failure; every step (a document, a photo) yields to the event loop and reports
 * progress, and an aborted signal stops the build at the next step with `cancelled`.
 */
import type * as Y from 'yjs';
import { err, ok, type Result } from '$lib/domain/result';
import {
	householdExportTable,
	type HouseholdExportLabels,
	type HouseholdExportRow
} from '$lib/domain/household-export';
import { maskIdNumber, maskPhone } from '$lib/domain/household';
import type { CaseId } from '$lib/domain/ids';
import { listCases, readCase, readCasePhotos } from '$lib/model/case';
import { readCommunitySettings, readDirectory } from '$lib/model/directory';
import { listHouseholds, readHousehold } from '$lib/model/household';
import {
	listMeetings,
	minutesPlainText,
	minutesToJson,
	readMeetingRecord
} from '$lib/model/meeting';
import { listPatrolRoutes, listPatrolRuns, listTasks, listWishes } from '$lib/model/work';
import type { TableSheet, tableCsv, tablesXlsx } from '$lib/spreadsheets/write';
import { ledgerRows, ledgerTable, type LedgerLabels } from '../case/ledger-export';
import { exportRow } from '../household/export-screen.svelte';
import { meetingsTable, tasksTable, wishesTable, type WorkTableLabels } from './zip-tables';

export const ZIP_FORMAT = 'gridboard-app-export';
export const ZIP_VERSION = 1;

/** One document as the device holds it, and when the device last heard the relay's state of it. */
export type ZipDoc = Readonly<{ docName: string; doc: Y.Doc; asOf: number | null }>;
export type ZipGridDoc = ZipDoc & Readonly<{ gridId: string; gridName: string }>;

export type CommunityZipSource = Readonly<{
	communityId: string;
	communityName: string;
	directory: ZipDoc;
	boards: readonly ZipGridDoc[];
	registers: readonly ZipGridDoc[];
	tasks: ZipDoc;
	meetingIndex: ZipDoc;
	meetings: readonly (ZipDoc & Readonly<{ meetingId: string }>)[];
}>;

export type ZipLabels = Readonly<{
	ledger: LedgerLabels;
	households: HouseholdExportLabels;
	work: WorkTableLabels;
	sheets: Readonly<{
		board: string;
		households: string;
		tasks: string;
		wishes: string;
		meetings: string;
	}>;
}>;

export type ZipPhoto = Readonly<{ bytes: Uint8Array; mime: string }>;

export type ZipOptions = Readonly<{
	labels: ZipLabels;
	writers: Readonly<{ csv: typeof tableCsv; xlsx: typeof tablesXlsx }>;
	/** A photo's bytes on this device, never fetched; null when not here. */
	photo: (hash: string) => Promise<ZipPhoto | null>;
	sha256: (bytes: Uint8Array<ArrayBuffer>) => Promise<string>;
	now: number;
	onProgress?: (done: number, total: number) => void;
	signal?: AbortSignal;
}>;

export type ZipDocumentEntry = Readonly<{
	name: string;
	kind: string;
	/** When the device last heard the relay's state of it (ISO); null: never. */
	asOf: string | null;
	counts: Readonly<Record<string, number>>;
}>;

export type ZipManifest = Readonly<{
	format: typeof ZIP_FORMAT;
	version: typeof ZIP_VERSION;
	generatedAt: string;
	community: Readonly<{ id: string; name: string }>;
	counts: Readonly<Record<string, number>>;
	documents: readonly ZipDocumentEntry[];
	photos: Readonly<{ included: readonly string[]; missing: readonly string[] }>;
	files: Readonly<Record<string, Readonly<{ bytes: number; sha256: string }>>>;
}>;

export type CommunityZipFiles = Readonly<{
	manifest: ZipManifest;
	/** Every file of the ZIP by its path, manifest.json included. */
	files: Readonly<Record<string, Uint8Array<ArrayBuffer>>>;
}>;

export type ZipProblem = 'cancelled';

const HASH = /^[0-9a-f]{64}$/;
const EXTENSIONS: Readonly<Record<string, string>> = {
	'image/jpeg': 'jpg',
	'image/png': 'png',
	'image/webp': 'webp'
};
const utf8 = (text: string) => new TextEncoder().encode(text) as Uint8Array<ArrayBuffer>;
const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString());
const yieldToUi = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
/** The document name after `c/{communityId}/`: `board/g01`, `meetings/index`. */
const shortName = (docName: string) => docName.split('/').slice(2).join('/');

/** Every photo hash a rendering names: any `hash` of 64 hex digits, anywhere in it. */
function photoHashes(value: unknown, into: Set<string>): void {
	if (Array.isArray(value)) for (const item of value) photoHashes(item, into);
	else if (typeof value === 'object' && value !== null) {
		for (const [key, inner] of Object.entries(value)) {
			if (key === 'hash' && typeof inner === 'string' && HASH.test(inner)) into.add(inner);
			else photoHashes(inner, into);
		}
	}
}

/** A household's row as the export writes it, its numbers masked. */
function maskedRow(row: HouseholdExportRow): HouseholdExportRow {
	return {
		...row,
		residents: row.residents.map((r) => ({
			...r,
			idNumber: maskIdNumber(r.idNumber),
			phone: maskPhone(r.phone)
		}))
	};
}

type Step = () => Promise<void>;

/** Reads every document into the ZIP's files; `cancelled` when the signal aborts first. */
export async function buildCommunityZip(
	source: CommunityZipSource,
	options: ZipOptions
): Promise<Result<CommunityZipFiles, ZipProblem>> {
	const { labels, writers } = options;
	const files: Record<string, Uint8Array<ArrayBuffer>> = {};
	const documents: ZipDocumentEntry[] = [];
	const hashes = new Set<string>();
	const totals: Record<string, number> = {};
	const add = (path: string, body: string | Uint8Array<ArrayBuffer>) =>
		(files[path] = typeof body === 'string' ? utf8(body) : body);
	const addTable = async (stem: string, sheets: readonly TableSheet[], csv = true) => {
		if (csv) add(`${stem}.csv`, await writers.csv(sheets[0]!.rows));
		add(`${stem}.xlsx`, new Uint8Array(await (await writers.xlsx(sheets)).arrayBuffer()));
	};
	const render = (entry: ZipDoc, kind: string, value: unknown, counts: Record<string, number>) => {
		photoHashes(value, hashes);
		add(`documents/${shortName(entry.docName)}.json`, JSON.stringify(value, null, '\t'));
		documents.push({ name: shortName(entry.docName), kind, asOf: iso(entry.asOf), counts });
		for (const [key, count] of Object.entries(counts)) totals[key] = (totals[key] ?? 0) + count;
	};

	const steps: Step[] = [
		async () => {
			const doc = source.directory.doc;
			const directory = { ...readDirectory(doc), settings: readCommunitySettings(doc) };
			render(source.directory, 'directory', directory, { grids: directory.grids.length });
		},
		...source.boards.map((board) => async () => {
			const doc = board.doc;
			const cases = listCases(doc)
				.map((c) => readCase(doc, c.id as CaseId))
				.filter((c) => c !== null)
				.map((c) => ({ ...c, photos: readCasePhotos(doc, c.id) }));
			render(board, 'board', { cases }, { cases: cases.length });
			const rows = ledgerRows(
				cases.map((c) => ({ gridId: board.gridId, id: c.id })),
				() => doc,
				(hash) => hash
			);
			await addTable(`boards/${board.gridId}`, [
				{ name: `${labels.sheets.board} ${board.gridName}`, rows: ledgerTable(rows, labels.ledger) }
			]);
		}),
		...source.registers.map((register) => async () => {
			const doc = register.doc;
			const households = listHouseholds(doc)
				.filter((h) => !h.deleted)
				.map((h) => readHousehold(doc, h.id))
				.filter((h) => h !== null);
			const rows = households.map((h) => maskedRow(exportRow(h)));
			const rendered = households.map((h, i) => ({
				id: h.id,
				...rows[i]!,
				visits: h.visits.map((v) => ({
					visitedAt: v.visitedAt,
					findings: v.findings,
					photos: v.photos
				}))
			}));
			const residents = rows.reduce((sum, row) => sum + row.residents.length, 0);
			render(
				register,
				'households',
				{ households: rendered },
				{ households: rows.length, residents }
			);
			const table = householdExportTable(rows, labels.households, { full: true });
			await addTable(`households/${register.gridId}`, [
				{ name: `${labels.sheets.households} ${register.gridName}`, rows: table }
			]);
		}),
		async () => {
			const doc = source.tasks.doc;
			const tasks = listTasks(doc).filter((t) => !t.deleted);
			const wishes = listWishes(doc).filter((w) => !w.deleted);
			const work = {
				tasks,
				wishes,
				patrolRoutes: listPatrolRoutes(doc),
				patrolRuns: listPatrolRuns(doc)
			};
			render(source.tasks, 'tasks', work, {
				tasks: tasks.length,
				wishes: wishes.length,
				patrolRuns: work.patrolRuns.length
			});
			const taskRows = tasksTable(tasks, labels.work);
			const wishRows = wishesTable(wishes, labels.work);
			await addTable('tasks', [
				{ name: labels.sheets.tasks, rows: taskRows },
				{ name: labels.sheets.wishes, rows: wishRows }
			]);
			add('wishes.csv', await writers.csv(wishRows));
		},
		...source.meetings.map((meeting) => async () => {
			const minutes = minutesToJson(meeting.doc);
			const record = readMeetingRecord(meeting.doc);
			render(meeting, 'meeting', { record, minutes }, { items: record.items.length });
		}),
		async () => {
			const meetings = listMeetings(source.meetingIndex.doc);
			render(source.meetingIndex, 'meetings', { meetings }, { meetings: meetings.length });
			const minutes = new Map(
				source.meetings.map((m) => [m.meetingId, minutesPlainText(minutesToJson(m.doc))])
			);
			await addTable('meetings', [
				{
					name: labels.sheets.meetings,
					rows: meetingsTable(meetings, (id) => minutes.get(id) ?? '', labels.work)
				}
			]);
		}
	];

	// Photos are counted once the documents named them: the total grows then, never shrinks.
	let total = steps.length + 1;
	let done = 0;
	const step = async (run: Step): Promise<boolean> => {
		if (options.signal?.aborted) return false;
		await run();
		options.onProgress?.(++done, total);
		await yieldToUi();
		return !options.signal?.aborted;
	};
	for (const run of steps) if (!(await step(run))) return err('cancelled');

	const included: string[] = [];
	const missing: string[] = [];
	const wanted = [...hashes].sort();
	total += wanted.length;
	for (const hash of wanted) {
		const going = await step(async () => {
			const photo = await options.photo(hash);
			if (!photo) missing.push(hash);
			else {
				add(
					`photos/${hash}.${EXTENSIONS[photo.mime] ?? 'bin'}`,
					photo.bytes as Uint8Array<ArrayBuffer>
				);
				included.push(hash);
			}
		});
		if (!going) return err('cancelled');
	}

	const listed: Record<string, { bytes: number; sha256: string }> = {};
	for (const path of Object.keys(files).sort()) {
		listed[path] = { bytes: files[path]!.byteLength, sha256: await options.sha256(files[path]!) };
	}
	const manifest: ZipManifest = {
		format: ZIP_FORMAT,
		version: ZIP_VERSION,
		generatedAt: new Date(options.now).toISOString(),
		community: { id: source.communityId, name: source.communityName },
		counts: {
			documents: documents.length,
			...totals,
			photos: included.length,
			missingPhotos: missing.length
		},
		documents,
		photos: { included, missing },
		files: listed
	};
	add('manifest.json', JSON.stringify(manifest, null, '\t'));
	options.onProgress?.(++done, total);
	return ok({ manifest, files });
}
