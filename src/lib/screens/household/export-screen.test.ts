/**
 * The export's screen model on real registers: masked by default, full numbers only for the
 * secretary and only after a confirmation, the record written before the file exists (a refused
 * record hands over nothing), a community export recording one entry per grid with its count.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import Papa from 'papaparse';
import { createHousehold, listExports, recordVisit } from '$lib/model/household';
import {
	household,
	householdContext,
	idNumber,
	LI,
	resident,
	T0,
	WANG
} from '$lib/model/household/test-fixtures';
import type { CommandContext, Authority } from '$lib/model/command-context';
import { EXPORT_LABELS_ZH } from '$lib/spreadsheets/test-fixtures';
import { householdsCsv } from '$lib/spreadsheets/write';
import {
	HouseholdExportScreen,
	readExportSource,
	type ExportRegister,
	type ExportWriters
} from './export-screen.svelte';

const ID = idNumber('19491231');

function register(gridId: string): ExportRegister {
	const doc = new Y.Doc();
	const context = householdContext(LI, 'secretary', T0, [], gridId);
	const made = createHousehold(
		doc,
		household('3栋', `${gridId}-301`, {
			colour: 'red',
			colourReason: '独居',
			residents: [resident('张伟', { phone: '13812345678', idNumber: ID, tags: ['elderlyAlone'] })]
		}),
		context
	);
	if (!made.ok) throw new Error(made.reason);
	recordVisit(
		doc,
		made.value,
		{ visitedAt: T0, visitors: ['王'], findings: '好', photos: [] },
		context
	);
	return {
		gridId,
		gridName: `网格${gridId}`,
		doc,
		snapshot: {
			get current() {
				return readExportSource(doc);
			}
		}
	};
}

/** Writers that note what the register held when the file was made. */
function spyWriters(registers: readonly ExportRegister[], seen: number[]): ExportWriters {
	return {
		csv: async (rows, labels, options) => {
			seen.push(registers.reduce((n, r) => n + listExports(r.doc).length, 0));
			return householdsCsv(rows, labels, options);
		},
		xlsx: async () => new Blob(['x'])
	};
}

const member =
	(role: 'secretary' | 'grid-member' | 'volunteer', grids: string[] = ['g1']) =>
	(): CommandContext<Authority> => {
		const { actor, authority } = householdContext(
			role === 'secretary' ? LI : WANG,
			role,
			T0,
			grids
		);
		return { actor, authority: { claims: authority.claims, memberId: authority.memberId } };
	};

function screenOf(
	registers: ExportRegister[],
	role: 'secretary' | 'grid-member' | 'volunteer',
	scope: 'grid' | 'community' = 'grid',
	seen: number[] = []
) {
	return new HouseholdExportScreen(() => registers, member(role), {
		scope,
		labels: () => EXPORT_LABELS_ZH,
		fileStem: 'households',
		writers: spyWriters(registers, seen)
	});
}

async function rowsOf(blob: Blob): Promise<string[][]> {
	const text = (await blob.text()).replace(/^\uFEFF/, '');
	return Papa.parse<string[]>(text.trim()).data;
}

describe('HouseholdExportScreen', () => {
	it("a grid member's export is masked and recorded before the file is made", async () => {
		const g1 = register('g1');
		const seen: number[] = [];
		const screen = screenOf([g1], 'grid-member', 'grid', seen);
		expect(screen.current).toMatchObject({ mayFull: false, households: 1, full: false });
		const file = await screen.export();
		expect(seen).toEqual([1]);
		expect(file?.households).toBe(1);
		const [header, row] = await rowsOf(file!.blob);
		expect(header![0]).toBe('小区');
		expect(row).toContain('红');
		expect(row).toContain('独居老人');
		expect(row).toContain('2026-12-01');
		expect(row).not.toContain('13812345678');
		expect(row).not.toContain(ID);
		expect(row).toContain('138****5678');
		expect(listExports(g1.doc)).toMatchObject([
			{ by: WANG.name, scope: 'grid', format: 'csv', full: false, households: 1 }
		]);
	});

	it('a non-secretary asking for full numbers gets nothing and nothing is recorded', async () => {
		const g1 = register('g1');
		const screen = screenOf([g1], 'grid-member');
		screen.full = true;
		expect(screen.current.full).toBe(false);
		expect(await screen.export(true)).toBeNull();
		expect(screen.current.problem).toBe('not_permitted');
		expect(screen.current.file).toBeNull();
		expect(listExports(g1.doc)).toEqual([]);
	});

	it('the secretary exports in full only after confirming; both exports are in the log', async () => {
		const g1 = register('g1');
		const screen = screenOf([g1], 'secretary');
		expect(screen.current.mayFull).toBe(true);
		await screen.export();
		screen.full = true;
		expect(await screen.export()).toBeNull();
		expect(screen.current.confirmingFull).toBe(true);
		expect(listExports(g1.doc)).toHaveLength(1);
		const file = await screen.export(true);
		const [, row] = await rowsOf(file!.blob);
		expect(row).toContain('13812345678');
		expect(row).toContain(ID);
		expect(file?.name).toBe('households-full.csv');
		expect(screen.current.log.map((e) => [e.full, e.gridName])).toEqual([
			[true, '网格g1'],
			[false, '网格g1']
		]);
	});

	it("a community export records one entry in each grid's register with that grid's count", async () => {
		const registers = [register('g1'), register('g2')];
		const extra = createHousehold(
			registers[1]!.doc,
			household('9栋', '901'),
			householdContext(LI, 'secretary', T0, [], 'g2')
		);
		expect(extra.ok).toBe(true);
		const seen: number[] = [];
		const screen = screenOf(registers, 'secretary', 'community', seen);
		expect(screen.current.households).toBe(3);
		screen.format = 'xlsx';
		const file = await screen.export();
		expect(file?.households).toBe(3);
		expect(listExports(registers[0]!.doc)).toMatchObject([
			{ scope: 'community', format: 'xlsx', households: 1 }
		]);
		expect(listExports(registers[1]!.doc)).toMatchObject([
			{ scope: 'community', format: 'xlsx', households: 2 }
		]);
		expect(screen.current.log).toHaveLength(2);
		const member = screenOf(registers, 'grid-member', 'community');
		expect(await member.export()).toBeNull();
		expect(member.current.problem).toBe('not_permitted');
	});
});
