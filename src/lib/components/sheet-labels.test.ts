/**
 * The export's words in both languages are words the import recognises: a full export read back
 * gives the same households (colours, relations, tags with spaces in English).
 */
import { describe, expect, it } from 'vitest';
import { householdExportTable, type HouseholdExportRow } from '$lib/domain/household-export';
import { parseHouseholdTable, recogniseHeader } from '$lib/domain/household-import';
import { RESIDENT_RELATIONS, RESIDENT_TAGS, HOUSEHOLD_COLOURS } from '$lib/domain/household';
import { idNumber } from '$lib/model/household/test-fixtures';
import { exportLabels } from './sheet-labels';

const rows: HouseholdExportRow[] = HOUSEHOLD_COLOURS.flatMap((colour, c) =>
	RESIDENT_RELATIONS.map((relation, r) => ({
		address: { compound: '幸福里', building: `${c + 1}栋`, unit: '1单元', room: `${r + 101}` },
		colour,
		colourReason: colour === 'green' ? '' : '原因',
		note: '',
		lastVisitAt: null,
		residents: [
			{
				name: `居民${r}`,
				relation,
				phone: '13812345678',
				idNumber: idNumber('19800101', `${100 + r}`),
				birthYear: 1980,
				tags: [...RESIDENT_TAGS],
				note: ''
			}
		]
	}))
);

describe('export labels', () => {
	it.each(['en', 'zh-CN'] as const)('%s: a full export imports back unchanged', async (locale) => {
		const table = householdExportTable(rows, exportLabels('Asia/Shanghai', { locale }), {
			full: true
		}).map((cells, i) => ({ row: i + 1, cells }));
		const header = recogniseHeader(table);
		expect(header.mapping.filter((f) => f !== null)).toHaveLength(14);
		const parsed = await parseHouseholdTable(table, header, { today: new Date('2026-12-01') });
		expect(parsed.errors).toEqual([]);
		expect(parsed.households.map((h) => h.input)).toEqual(
			rows.map((row) => ({
				address: row.address,
				colour: row.colour,
				colourReason: row.colourReason,
				note: row.note,
				residents: row.residents
			}))
		);
	});
});
