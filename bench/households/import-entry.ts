/**
 * The import figure's page script (bundled by run.ts with rolldown, `$lib` resolved as the app
 * resolves it, and run in the benchmark's Chromium page): the household import pipeline the
 * import screen runs, through the app's own modules, on a spreadsheet file's bytes:
 * `readSpreadsheet` (read-excel-file's browser entry) → `recogniseHeader` →
 * `parseHouseholdTable` → `planHouseholdImport` against the register → `importHouseholds` into
 * a register document (chunks of 200 households, one transaction each, yielding between them).
 *
 * Not measured: the screen's own rendering (preview, progress bar) and the register's
 * IndexedDB write after the import (the app's doc session batches updates to disk).
 *
 * Invariant: sets `window.__importBench` and nothing else; the page runs no app code.
 */
import * as Y from 'yjs';
import { readSpreadsheet } from '$lib/spreadsheets/read';
import {
	parseHouseholdTable,
	planHouseholdImport,
	recogniseHeader
} from '$lib/domain/household-import';
import { importHouseholds, listHouseholds } from '$lib/model/household';
import { addressKey, type HouseholdId } from '$lib/domain/household';

type Step = Readonly<{ read: number; parse: number; plan: number; write: number; total: number }>;

async function importBench(bytes: Uint8Array, fileName: string, gridId: string) {
	const doc = new Y.Doc();
	const started = performance.now();
	const table = await readSpreadsheet(bytes, fileName);
	const read = performance.now();
	const imported = await parseHouseholdTable(table, recogniseHeader(table));
	const parsed = performance.now();
	const existing = new Map<string, HouseholdId>(
		listHouseholds(doc).map((h) => [addressKey(h.address), h.id])
	);
	const plan = planHouseholdImport(imported, existing, { skipErroneousRows: false });
	if (!plan.ok) return { error: `${plan.reason}: ${JSON.stringify(imported.errors.slice(0, 3))}` };
	const planned = performance.now();
	const context = {
		actor: { name: '李书记', deviceId: 'bench-device' },
		authority: {
			claims: { cid: 'bench', role: 'secretary' as const, grids: [] },
			memberId: '',
			gridId
		}
	};
	const written = await importHouseholds(
		doc,
		plan.value.fresh.map((h) => h.input),
		{},
		context
	);
	if (!written.ok) return { error: `import: ${written.reason}` };
	const done = performance.now();
	const steps: Step = {
		read: read - started,
		parse: parsed - read,
		plan: planned - parsed,
		write: done - planned,
		total: done - started
	};
	return {
		steps,
		rows: imported.rowCount,
		households: listHouseholds(doc).length,
		residents: written.value.residentsAdded,
		updateBytes: Y.encodeStateAsUpdate(doc).byteLength
	};
}

(window as unknown as { __importBench: typeof importBench }).__importBench = importBench;
