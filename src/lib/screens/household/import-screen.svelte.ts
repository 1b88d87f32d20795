/**
 * The household import wizard's screen model (issue 18): a CSV or XLSX file read on the device,
 * its columns recognised and corrected by the user, its rows parsed with per-row errors, its
 * households split into new ones and duplicates of the grid's register (merge or skip each), and
 * nothing written until `confirm()`.
 *
 *   pick ─readFile─▶ reading ─▶ preview ─confirm─▶ importing ─▶ done
 *                      │            ▲ setMapping / skipErrors / decide / defaultReason
 *                      └─▶ pick with `problem` (a file we cannot read)
 *
 * A yellow or red household needs a reason (the model refuses `reason_required`): the file's
 * mapped reason column gives it, else the one default reason asked in the preview.
 *
 * Invariant: the register is written only by `confirm()`, once per preview, and only when
 * `current.blocked` is null; a household whose address is already registered is merged or skipped
 * as decided (skip unless told), never doubled (importHouseholds holds that even against a
 * household that arrived after the preview).
 */

import type * as Y from 'yjs';
import {
	HOUSEHOLD_COLUMN_FIELDS,
	mappingProblems,
	parseHouseholdTable,
	planHouseholdImport,
	recogniseHeader,
	type HouseholdColumnField,
	type HouseholdImport,
	type HouseholdImportPlan,
	type ImportedHousehold,
	type ImportRowReason,
	type MappingProblem,
	type SpreadsheetTable
} from '$lib/domain/household-import';
import type { HouseholdId, HouseholdInput } from '$lib/domain/household';
import {
	importHouseholds,
	type DuplicateDecision,
	type HouseholdContext,
	type HouseholdSummary,
	type ImportReport
} from '$lib/model/household';
import {
	readSpreadsheet,
	SpreadsheetReadError,
	type SpreadsheetReadReason
} from '$lib/spreadsheets/read';

/** The register being imported into: its document and its households as read now. */
export type ImportTarget = Readonly<{
	doc: Y.Doc;
	snapshot: { readonly current: readonly HouseholdSummary[] };
}>;

export type ImportStep = 'pick' | 'reading' | 'preview' | 'importing' | 'done';

export type ImportProblem =
	SpreadsheetReadReason | 'empty_file' | 'not_permitted' | 'invalid_rows' | 'reason_needed';

/** Why Confirm is not offered yet. */
export type ImportBlock =
	MappingProblem | 'rows_have_errors' | 'reason_needed' | 'nothing_to_import';

export type PreviewColumn = Readonly<{
	index: number;
	label: string;
	field: HouseholdColumnField | null;
}>;

export type ShownRowError = Readonly<{
	row: number;
	/** The column's label in the file ('' when the error is the row's as a whole). */
	column: string;
	reason: ImportRowReason;
}>;

export type ShownDuplicate = Readonly<{
	key: string;
	household: ImportedHousehold;
	existingId: HouseholdId;
	decision: DuplicateDecision;
}>;

export type ImportView = Readonly<{
	step: ImportStep;
	fileName: string;
	/** 0–1 while reading, parsing or importing. */
	progress: number;
	problem: ImportProblem | null;
	columns: readonly PreviewColumn[];
	fields: readonly HouseholdColumnField[];
	mappingProblems: readonly MappingProblem[];
	/** The first data rows, one cell per column, as the file gives them. */
	sample: readonly Readonly<{ row: number; cells: readonly string[] }>[];
	rowCount: number;
	errors: readonly ShownRowError[];
	erroneousRows: number;
	skipErrors: boolean;
	duplicates: readonly ShownDuplicate[];
	/** Households to import that are yellow or red without a reason in the file. */
	needReason: number;
	summary: Readonly<{ fresh: number; merged: number; skipped: number }>;
	blocked: ImportBlock | null;
	report: ImportReport | null;
}>;

export type SpreadsheetFile = Readonly<{ name: string; arrayBuffer: () => Promise<ArrayBuffer> }>;

type Reader = typeof readSpreadsheet;

/** Data rows shown under the mapping. */
export const SAMPLE_ROWS = 5;

const needsReason = (input: HouseholdInput) =>
	input.colour !== 'green' && input.colourReason.trim() === '';

export class HouseholdImportScreen {
	step = $state<ImportStep>('pick');
	progress = $state(0);
	problem = $state<ImportProblem | null>(null);
	fileName = $state('');
	skipErrors = $state(false);
	/** The reason given to yellow and red households the file gives none. */
	defaultReason = $state('');
	report = $state<ImportReport | null>(null);

	#table = $state.raw<SpreadsheetTable>([]);
	#headerIndex = $state(0);
	#labels = $state.raw<readonly string[]>([]);
	#mapping = $state.raw<readonly (HouseholdColumnField | null)[]>([]);
	#parsed = $state.raw<HouseholdImport | null>(null);
	#decisions = $state.raw<Readonly<Record<string, DuplicateDecision>>>({});
	/** Bumped per parse, so a slow parse of an older mapping never wins. */
	#parseRun = 0;
	readonly #target: ImportTarget;
	readonly #context: () => HouseholdContext;
	readonly #read: Reader;
	readonly #today: () => Date;

	constructor(
		target: ImportTarget,
		context: () => HouseholdContext,
		options: Readonly<{ read?: Reader; today?: () => Date }> = {}
	) {
		this.#target = target;
		this.#context = context;
		this.#read = options.read ?? readSpreadsheet;
		// eslint-disable-next-line svelte/prefer-svelte-reactivity -- a moment, not state
		this.#today = options.today ?? (() => new Date());
	}

	/** Reads a file and recognises its header; the preview follows. */
	async readFile(file: SpreadsheetFile): Promise<void> {
		this.#reset();
		this.fileName = file.name;
		this.step = 'reading';
		let table: SpreadsheetTable;
		try {
			const bytes = await file.arrayBuffer();
			table = await this.#read(bytes, file.name, (fraction) => (this.progress = fraction / 2));
		} catch (error) {
			this.step = 'pick';
			this.problem = error instanceof SpreadsheetReadError ? error.reason : 'unreadable_file';
			return;
		}
		if (table.length < 2) {
			this.step = 'pick';
			this.problem = 'empty_file';
			return;
		}
		const header = recogniseHeader(table);
		this.#table = table;
		this.#headerIndex = header.headerIndex;
		this.#labels = header.labels;
		this.#mapping = header.mapping;
		await this.#parse();
		this.step = 'preview';
	}

	/** Corrects what one column holds (`null`: not imported) and reads the rows again. */
	async setMapping(column: number, field: HouseholdColumnField | null): Promise<void> {
		const mapping = [...this.#mapping];
		mapping[column] = field;
		this.#mapping = mapping;
		await this.#parse();
	}

	decide(key: string, decision: DuplicateDecision): void {
		this.#decisions = { ...this.#decisions, [key]: decision };
	}

	/** The same decision for every duplicate. */
	decideAll(decision: DuplicateDecision): void {
		const plan = this.#plan;
		if (!plan) return;
		this.#decisions = Object.fromEntries(plan.duplicates.map((d) => [d.household.key, decision]));
	}

	/** Back to picking a file; nothing was written. */
	cancel(): void {
		this.#reset();
	}

	/** Writes the previewed households; the only write of the wizard. */
	async confirm(): Promise<boolean> {
		const view = this.current;
		const plan = this.#plan;
		if (view.step !== 'preview' || view.blocked !== null || !plan) {
			if (view.blocked === 'reason_needed') this.problem = 'reason_needed';
			return false;
		}
		const reason = this.defaultReason.trim();
		const withReason = (input: HouseholdInput): HouseholdInput =>
			needsReason(input) ? { ...input, colourReason: reason } : input;
		const merging = plan.duplicates.filter((d) => this.#decisionOf(d.household.key) === 'merge');
		const inputs = [...plan.fresh, ...merging.map((d) => d.household)].map((h) =>
			withReason(h.input)
		);
		const skippedHere = plan.duplicates.length - merging.length;
		this.step = 'importing';
		this.progress = 0;
		const result = await importHouseholds(
			this.#target.doc,
			inputs,
			Object.fromEntries(merging.map((d) => [d.household.key, 'merge' as const])),
			this.#context(),
			{ onProgress: (done, total) => (this.progress = total === 0 ? 1 : done / total) }
		);
		if (!result.ok) {
			this.step = 'preview';
			this.problem = result.reason;
			return false;
		}
		this.report = Object.freeze({ ...result.value, skipped: result.value.skipped + skippedHere });
		this.problem = null;
		this.step = 'done';
		return true;
	}

	#decisionOf(key: string): DuplicateDecision {
		return this.#decisions[key] ?? 'skip';
	}

	async #parse(): Promise<void> {
		const run = ++this.#parseRun;
		this.progress = 0.5;
		const parsed = await parseHouseholdTable(
			this.#table,
			{ headerIndex: this.#headerIndex, mapping: this.#mapping },
			{
				today: this.#today(),
				onProgress: (done, total) => {
					if (run === this.#parseRun) this.progress = 0.5 + (total === 0 ? 0.5 : done / total / 2);
				}
			}
		);
		if (run !== this.#parseRun) return;
		this.#parsed = parsed;
		this.progress = 1;
	}

	#reset(): void {
		this.#parseRun++;
		this.step = 'pick';
		this.progress = 0;
		this.problem = null;
		this.fileName = '';
		this.skipErrors = false;
		this.defaultReason = '';
		this.report = null;
		this.#table = [];
		this.#labels = [];
		this.#mapping = [];
		this.#parsed = null;
		this.#decisions = {};
	}

	/** The registered addresses now: address key → household. */
	#existing(): Map<string, HouseholdId> {
		// eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local lookup, not state
		const existing = new Map<string, HouseholdId>();
		for (const h of this.#target.snapshot.current) if (!h.deleted) existing.set(h.addressKey, h.id);
		return existing;
	}

	get #plan(): HouseholdImportPlan | null {
		if (!this.#parsed) return null;
		const plan = planHouseholdImport(this.#parsed, this.#existing(), {
			skipErroneousRows: true
		});
		return plan.ok ? plan.value : null;
	}

	get current(): ImportView {
		const parsed = this.#parsed;
		const plan = this.#plan;
		const problems = mappingProblems(this.#mapping);
		const duplicates = (plan?.duplicates ?? []).map((d) =>
			Object.freeze({
				key: d.household.key,
				household: d.household,
				existingId: d.existingId,
				decision: this.#decisionOf(d.household.key)
			})
		);
		const merged = duplicates.filter((d) => d.decision === 'merge');
		const importing = [...(plan?.fresh ?? []), ...merged.map((d) => d.household)];
		const needReason = importing.filter((h) => needsReason(h.input)).length;
		const errors = parsed?.errors ?? [];
		let blocked: ImportBlock | null = null;
		if (problems.length > 0) blocked = problems[0]!;
		else if (errors.length > 0 && !this.skipErrors) blocked = 'rows_have_errors';
		else if (needReason > 0 && this.defaultReason.trim() === '') blocked = 'reason_needed';
		else if (importing.length === 0) blocked = 'nothing_to_import';
		const sampleStart = this.#headerIndex + 1;
		return Object.freeze({
			step: this.step,
			fileName: this.fileName,
			progress: this.progress,
			problem: this.problem,
			columns: this.#labels.map((label, index) =>
				Object.freeze({ index, label, field: this.#mapping[index] ?? null })
			),
			fields: HOUSEHOLD_COLUMN_FIELDS,
			mappingProblems: problems,
			sample: this.#table.slice(sampleStart, sampleStart + SAMPLE_ROWS),
			rowCount: parsed?.rowCount ?? 0,
			errors: errors.map((e) =>
				Object.freeze({
					row: e.row,
					column: e.column === null ? '' : (this.#labels[e.column] ?? ''),
					reason: e.reason
				})
			),
			erroneousRows: parsed?.erroneousRows.length ?? 0,
			skipErrors: this.skipErrors,
			duplicates,
			needReason,
			summary: Object.freeze({
				fresh: plan?.fresh.length ?? 0,
				merged: merged.length,
				skipped: duplicates.length - merged.length
			}),
			blocked,
			report: this.report
		});
	}
}
