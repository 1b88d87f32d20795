/**
 * The import wizard's screen model on a real register: the messy XLSX fixture's columns and row
 * errors shown, a mapping corrected, Confirm held back until errors are skipped and reasons
 * given, duplicates merged or skipped as decided, and a re-import that adds nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { listHouseholds, readHousehold } from '$lib/model/household';
import { householdContext, LI, T0, WANG } from '$lib/model/household/test-fixtures';
import { readSpreadsheet, type XlsxSheetReader } from '$lib/spreadsheets/read';
import { MESSY_FIELDS } from '$lib/spreadsheets/test-fixtures';
import { HouseholdImportScreen } from './import-screen.svelte';

const FIXTURES = path.resolve(import.meta.dirname, '../../../../tests/fixtures/households');

const nodeXlsx: XlsxSheetReader = async (input, options) => {
	const { readSheet } = await import('read-excel-file/node');
	return readSheet(Buffer.from(input), options);
};
const read: typeof readSpreadsheet = (bytes, name, progress) =>
	readSpreadsheet(bytes, name, progress, nodeXlsx);

const fixture = (name: string) => {
	const bytes = fs.readFileSync(path.join(FIXTURES, name));
	return {
		name,
		arrayBuffer: async () =>
			bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
	};
};
const csv = (name: string, text: string) => ({
	name,
	arrayBuffer: async () => new TextEncoder().encode(text).buffer as ArrayBuffer
});

function setup(role: 'grid-member' | 'volunteer' = 'grid-member') {
	const doc = new Y.Doc();
	const target = {
		doc,
		snapshot: {
			get current() {
				return listHouseholds(doc);
			}
		}
	};
	const context = () => householdContext(role === 'grid-member' ? WANG : LI, role, T0);
	const screen = new HouseholdImportScreen(target, context, {
		read,
		today: () => new Date(T0)
	});
	return { doc, screen };
}

describe('HouseholdImportScreen', () => {
	it('previews the messy XLSX: columns, first rows, per-row errors; nothing written before Confirm', async () => {
		const { doc, screen } = setup();
		await screen.readFile(fixture('households.xlsx'));
		const view = screen.current;
		expect(view.step).toBe('preview');
		expect(view.columns.map((c) => c.field)).toEqual(MESSY_FIELDS);
		expect(view.sample[0]?.row).toBe(5);
		expect(view.errors.map((e) => [e.row, e.column, e.reason])).toEqual([
			[9, '身份证号', 'id_check_digit'],
			[10, '联系电话', 'phone_format']
		]);
		expect(view.blocked).toBe('rows_have_errors');
		expect(await screen.confirm()).toBe(false);
		expect(listHouseholds(doc)).toEqual([]);
		screen.skipErrors = true;
		expect(screen.current.blocked).toBeNull();
		expect(screen.current.summary).toEqual({ fresh: 4, merged: 0, skipped: 0 });
		expect(listHouseholds(doc)).toEqual([]);
		expect(await screen.confirm()).toBe(true);
		expect(screen.current.report).toMatchObject({ created: 4, merged: 0, skipped: 0 });
		expect(listHouseholds(doc)).toHaveLength(4);
	});

	it('a re-import finds every household a duplicate; skip adds nothing, merge adds only new residents', async () => {
		const { doc, screen } = setup();
		await screen.readFile(fixture('households.xlsx'));
		screen.skipErrors = true;
		await screen.confirm();
		const before = listHouseholds(doc).map((h) => h.residentCount);
		await screen.readFile(fixture('households-gbk.csv'));
		screen.skipErrors = true;
		expect(screen.current.duplicates).toHaveLength(4);
		expect(screen.current.summary).toEqual({ fresh: 0, merged: 0, skipped: 4 });
		expect(screen.current.blocked).toBe('nothing_to_import');
		screen.decideAll('merge');
		expect(screen.current.summary).toEqual({ fresh: 0, merged: 4, skipped: 0 });
		screen.decide(screen.current.duplicates[0]!.key, 'skip');
		expect(screen.current.summary).toEqual({ fresh: 0, merged: 3, skipped: 1 });
		expect(await screen.confirm()).toBe(true);
		expect(screen.current.report).toMatchObject({
			created: 0,
			merged: 3,
			skipped: 1,
			residentsAdded: 0
		});
		expect(listHouseholds(doc).map((h) => h.residentCount)).toEqual(before);
	});

	it('a corrected mapping reads the rows again; a mapping without an address is said', async () => {
		const { screen } = setup();
		await screen.readFile(
			csv('x.csv', '楼号,房号,电话号\n3栋,301,13812345678\n3栋,302,13812345679\n')
		);
		expect(screen.current.columns.map((c) => c.field)).toEqual(['building', 'room', null]);
		expect(screen.current.summary.fresh).toBe(2);
		await screen.setMapping(0, null);
		await screen.setMapping(1, null);
		expect(screen.current.mappingProblems).toEqual(['no_address_column']);
		expect(screen.current.blocked).toBe('no_address_column');
		await screen.setMapping(1, 'room');
		await screen.setMapping(2, 'phone');
		await screen.setMapping(0, 'room');
		expect(screen.current.blocked).toBe('field_mapped_twice');
		await screen.setMapping(0, 'building');
		expect(screen.current.blocked).toBe('rows_have_errors');
		expect(screen.current.errors[0]).toMatchObject({
			row: 2,
			column: '',
			reason: 'name_required'
		});
	});

	it('yellow and red households without a reason wait for one default reason', async () => {
		const { doc, screen } = setup();
		await screen.readFile(csv('r.csv', '楼栋,门牌号,颜色\n1栋,101,红\n1栋,102,绿\n1栋,103,关注\n'));
		expect(screen.current.needReason).toBe(2);
		expect(screen.current.blocked).toBe('reason_needed');
		expect(await screen.confirm()).toBe(false);
		expect(screen.current.problem).toBe('reason_needed');
		screen.defaultReason = '2024年排查';
		expect(await screen.confirm()).toBe(true);
		const red = listHouseholds(doc).find((h) => h.colour === 'red')!;
		expect(readHousehold(doc, red.id)?.colourState.reason).toBe('2024年排查');
		const green = listHouseholds(doc).find((h) => h.colour === 'green')!;
		expect(readHousehold(doc, green.id)?.colourState.reason).toBe('');
	});

	it('a file we cannot read is said, and a volunteer is refused on Confirm', async () => {
		const { screen } = setup();
		await screen.readFile(csv('old.xls', 'x'));
		expect(screen.current).toMatchObject({ step: 'pick', problem: 'unsupported_file' });
		const volunteer = setup('volunteer');
		await volunteer.screen.readFile(csv('a.csv', '楼栋,门牌号\n1栋,101\n'));
		expect(await volunteer.screen.confirm()).toBe(false);
		expect(volunteer.screen.current).toMatchObject({ step: 'preview', problem: 'not_permitted' });
		expect(listHouseholds(volunteer.doc)).toEqual([]);
	});

	it('reports progress while reading and importing', async () => {
		const { screen } = setup();
		const rows = Array.from({ length: 1200 }, (_, i) => `1栋,${i + 1}`).join('\n');
		const seen: number[] = [];
		await screen.readFile(csv('big.csv', `楼栋,门牌号\n${rows}\n`));
		expect(screen.current.summary.fresh).toBe(1200);
		const confirming = screen.confirm();
		expect(screen.current.step).toBe('importing');
		while (screen.current.step === 'importing') {
			seen.push(screen.current.progress);
			await new Promise((resolve) => setTimeout(resolve, 0));
		}
		await confirming;
		expect(seen.some((p) => p > 0 && p < 1)).toBe(true);
		expect(screen.current.report?.created).toBe(1200);
	});
});
