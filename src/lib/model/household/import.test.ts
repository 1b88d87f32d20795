import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Result } from '../../domain/result';
import { createHousehold } from './commands';
import { findImportDuplicates, importHouseholds } from './import';
import { listHouseholds, readHousehold } from './readers';
import { household, householdContext, idNumber, resident, T0, WANG, ZHOU } from './test-fixtures';

function must<T>(result: Result<T, string>): T {
	if (!result.ok) throw new Error(`refused: ${result.reason}`);
	return result.value;
}

const wang = (at: number) => householdContext(WANG, 'grid-member', at);

const SHEET = [
	household('1号楼', '101室', {
		residents: [resident('赵一', { idNumber: idNumber('19500101') }), resident('赵二')]
	}),
	household('1号楼', '102室', {
		colour: 'red',
		colourReason: '低保',
		residents: [resident('钱三')]
	}),
	household('2号楼', '201室', { residents: [resident('孙四', { tags: ['rented'] })] })
];

describe('household import', () => {
	it('imports every row in chunks, reporting progress', async () => {
		const doc = new Y.Doc();
		const progress: number[] = [];
		const report = must(
			await importHouseholds(doc, SHEET, {}, wang(T0), {
				chunkSize: 2,
				onProgress: (done, total) => progress.push(done / total)
			})
		);
		expect(report).toEqual({ created: 3, merged: 0, skipped: 0, residentsAdded: 4 });
		expect(progress).toEqual([2 / 3, 1]);
		expect(listHouseholds(doc).map((h) => [h.address.room, h.colour, h.residentCount])).toEqual([
			['101室', 'green', 2],
			['102室', 'red', 1],
			['201室', 'green', 1]
		]);
	});

	it('imports nothing when a row is invalid, and says which rows and why', async () => {
		const doc = new Y.Doc();
		const bad = [
			...SHEET,
			household('3号楼', '301', { residents: [resident('周五', { phone: '555' })] })
		];
		const result = await importHouseholds(doc, bad, {}, wang(T0));
		expect(result).toEqual({
			ok: false,
			reason: 'invalid_rows',
			errors: [{ index: 3, reason: 'phone_format' }]
		});
		expect(doc.getMap('households').size).toBe(0);
		expect(await importHouseholds(doc, SHEET, {}, householdContext(ZHOU, 'volunteer', T0))).toEqual(
			{
				ok: false,
				reason: 'not_permitted'
			}
		);
	});

	it('a re-import does not double: duplicates are skipped by default, merged on request', async () => {
		const doc = new Y.Doc();
		must(await importHouseholds(doc, SHEET, {}, wang(T0)));
		const again = [
			// The same address written differently, with one new resident and one known one.
			household('1栋', '101', {
				note: '新备注',
				residents: [
					resident('赵一', { idNumber: idNumber('19500101'), phone: '13900001111' }),
					resident('赵三')
				]
			}),
			household('1号楼', '102室', { residents: [resident('钱三')] }),
			household('2号楼', '201室', { residents: [resident('孙四', { tags: ['rented'] })] })
		];
		expect(findImportDuplicates(doc, again).map((d) => d.index)).toEqual([0, 1, 2]);
		const keyOf = findImportDuplicates(doc, again)[0]!.addressKey;
		const report = must(await importHouseholds(doc, again, { [keyOf]: 'merge' }, wang(T0 + 1)));
		expect(report).toEqual({ created: 0, merged: 1, skipped: 2, residentsAdded: 1 });
		const households = listHouseholds(doc);
		expect(households).toHaveLength(3);
		const first = readHousehold(doc, households[0]!.id)!;
		expect(first.note).toBe('新备注');
		expect(first.residents.map((r) => [r.fields.name.value, r.fields.phone.value])).toEqual([
			['赵一', '13900001111'],
			['赵二', ''],
			['赵三', '']
		]);
		// Merging again changes nothing: never a second household, never a non-empty value overwritten.
		const twice = must(
			await importHouseholds(
				doc,
				[household('1栋', '101', { note: '别的', residents: [resident('赵三')] })],
				{ [keyOf]: 'merge' },
				wang(T0 + 2)
			)
		);
		expect(twice).toEqual({ created: 0, merged: 1, skipped: 0, residentsAdded: 0 });
		expect(readHousehold(doc, households[0]!.id)!.note).toBe('新备注');
	});

	it('one address twice in one file makes one household', async () => {
		const doc = new Y.Doc();
		must(createHousehold(doc, household('9号楼', '901'), wang(T0)));
		const rows = [
			household('8号楼', '801', { residents: [resident('吴六')] }),
			household('8栋', '801室', { residents: [resident('吴七')] })
		];
		expect(findImportDuplicates(doc, rows)).toEqual([
			{ index: 1, addressKey: expect.any(String), householdId: null, sameAsRow: 0 }
		]);
		const key = findImportDuplicates(doc, rows)[0]!.addressKey;
		const report = must(await importHouseholds(doc, rows, { [key]: 'merge' }, wang(T0)));
		expect(report).toEqual({ created: 1, merged: 1, skipped: 0, residentsAdded: 2 });
		expect(listHouseholds(doc)).toHaveLength(2);
	});
});
