/**
 * The household export's screen model (issue 18): one grid's register, or every grid's for the
 * secretary (scope `community`), written to CSV (with a BOM) or XLSX from the device's copies,
 * masked unless the secretary asks for full ID numbers and phones and confirms it.
 *
 * Invariant: the file exists only after `recordExport` accepted a record in every register it
 * holds (one per grid, with that grid's count); a refused record hands over nothing. Only the
 * secretary is offered full numbers or the community scope, and the model refuses anyone else.
 */

import type * as Y from 'yjs';
import type { HouseholdExportLabels, HouseholdExportRow } from '$lib/domain/household-export';
import { isResidentRelation, type ResidentInput } from '$lib/domain/household';
import {
	listExports,
	listHouseholds,
	readHousehold,
	recordExport,
	type ExportRecord,
	type HouseholdSnapshot,
	type HouseholdSummary,
	type RecordExportReason
} from '$lib/model/household';
import { householdsCsv, householdsXlsx } from '$lib/spreadsheets/write';
import { sheetContext, type MemberContextSource } from './sheet-context';

/** What the export reads of a register, live (the page's `useDoc` with `readExportSource`). */
export type ExportSource = Readonly<{
	households: readonly HouseholdSummary[];
	exports: readonly ExportRecord[];
}>;

export const readExportSource = (doc: Y.Doc): ExportSource =>
	Object.freeze({
		households: listHouseholds(doc).filter((h) => !h.deleted),
		exports: listExports(doc)
	});

/** One grid's register as the page opened it. */
export type ExportRegister = Readonly<{
	gridId: string;
	gridName: string;
	doc: Y.Doc;
	snapshot: { readonly current: ExportSource };
}>;

export type ExportFormat = 'csv' | 'xlsx';
export type ExportScope = 'grid' | 'community';
export type ExportProblem = RecordExportReason | 'nothing_to_export';

export type ExportedFile = Readonly<{
	name: string;
	blob: Blob;
	/** An object URL of `blob` for the download link. */
	url: string;
	households: number;
}>;

export type ExportLogEntry = ExportRecord & Readonly<{ gridId: string; gridName: string }>;

export type ExportView = Readonly<{
	scope: ExportScope;
	secretary: boolean;
	/** Full numbers may be asked for (the secretary only). */
	mayFull: boolean;
	format: ExportFormat;
	full: boolean;
	/** The secretary asked for full numbers and is asked to confirm. */
	confirmingFull: boolean;
	households: number;
	problem: ExportProblem | null;
	file: ExportedFile | null;
	/** Every register's export records, newest first (the secretary's page shows them). */
	log: readonly ExportLogEntry[];
}>;

export type ExportWriters = Readonly<{ csv: typeof householdsCsv; xlsx: typeof householdsXlsx }>;

/** A household as the export writes it: live residents, the colour's reason, the last visit. */
export function exportRow(household: HouseholdSnapshot): HouseholdExportRow {
	const residents: ResidentInput[] = household.residents
		.filter((r) => !r.removed)
		.map((r) => ({
			name: r.fields.name.value,
			relation: isResidentRelation(r.fields.relation.value) ? r.fields.relation.value : 'other',
			phone: r.fields.phone.value,
			idNumber: r.fields.idNumber.value,
			birthYear: r.fields.birthYear.value,
			tags: r.tags,
			note: r.fields.note.value
		}));
	return {
		address: household.address,
		colour: household.colour,
		colourReason: household.colourState.reason,
		note: household.note,
		residents,
		lastVisitAt: household.lastVisitAt
	};
}

export class HouseholdExportScreen {
	format = $state<ExportFormat>('csv');
	full = $state(false);
	confirmingFull = $state(false);
	problem = $state<ExportProblem | null>(null);
	file = $state.raw<ExportedFile | null>(null);
	readonly #registers: () => readonly ExportRegister[];
	readonly #member: MemberContextSource;
	readonly #scope: ExportScope;
	readonly #labels: () => HouseholdExportLabels;
	readonly #writers: ExportWriters;
	readonly #fileStem: string;

	constructor(
		registers: () => readonly ExportRegister[],
		member: MemberContextSource,
		options: Readonly<{
			scope: ExportScope;
			labels: () => HouseholdExportLabels;
			/** The file name without its extension. */
			fileStem: string;
			writers?: ExportWriters;
		}>
	) {
		this.#registers = registers;
		this.#member = member;
		this.#scope = options.scope;
		this.#labels = options.labels;
		this.#fileStem = options.fileStem;
		this.#writers = options.writers ?? { csv: householdsCsv, xlsx: householdsXlsx };
	}

	get #secretary(): boolean {
		return this.#member().authority.claims.role === 'secretary';
	}

	get current(): ExportView {
		const registers = this.#registers();
		const secretary = this.#secretary;
		const log = registers
			.flatMap((r) =>
				r.snapshot.current.exports.map((record) =>
					Object.freeze({ ...record, gridId: r.gridId, gridName: r.gridName })
				)
			)
			.sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1));
		return Object.freeze({
			scope: this.#scope,
			secretary,
			mayFull: secretary,
			format: this.format,
			full: this.full && secretary,
			confirmingFull: this.confirmingFull,
			households: registers.reduce((sum, r) => sum + r.snapshot.current.households.length, 0),
			problem: this.problem,
			file: this.file,
			log: Object.freeze(log)
		});
	}

	/**
	 * Records the export in every register, then writes the file. Full numbers ask for a
	 * confirmation first (`confirmingFull`; call again with `confirmed`).
	 */
	async export(confirmed = false): Promise<ExportedFile | null> {
		this.#forget();
		const full = this.full;
		if (full && !this.#secretary) return this.#refuse('not_permitted');
		if (full && !confirmed) {
			this.confirmingFull = true;
			return null;
		}
		this.confirmingFull = false;
		const registers = this.#registers();
		const households = registers.map((r) => ({
			register: r,
			list: listHouseholds(r.doc).filter((h) => !h.deleted)
		}));
		if (households.every((h) => h.list.length === 0)) return this.#refuse('nothing_to_export');
		const format = this.format;
		for (const { register, list } of households) {
			const recorded = recordExport(
				register.doc,
				{ scope: this.#scope, format, full, households: list.length },
				sheetContext(this.#member, register.gridId)
			);
			if (!recorded.ok) return this.#refuse(recorded.reason);
		}
		const rows = households.flatMap(({ register, list }) =>
			list
				.map((h) => readHousehold(register.doc, h.id))
				.filter((h) => h !== null)
				.map(exportRow)
		);
		const labels = this.#labels();
		const blob =
			format === 'csv'
				? new Blob([await this.#writers.csv(rows, labels, { full })], {
						type: 'text/csv;charset=utf-8'
					})
				: await this.#writers.xlsx(rows, labels, { full });
		const count = households.reduce((sum, h) => sum + h.list.length, 0);
		const file = Object.freeze({
			name: `${this.#fileStem}${full ? '-full' : ''}.${format}`,
			blob,
			url: URL.createObjectURL(blob),
			households: count
		});
		this.file = file;
		return file;
	}

	/** Leaves the full-number confirmation without exporting. */
	cancelFull(): void {
		this.confirmingFull = false;
	}

	/** Releases the last file's URL (the page calls it when it goes). */
	destroy(): void {
		this.#forget();
	}

	#forget(): void {
		if (this.file) URL.revokeObjectURL(this.file.url);
		this.file = null;
		this.problem = null;
	}

	#refuse(reason: ExportProblem): null {
		this.problem = reason;
		this.confirmingFull = false;
		return null;
	}
}
