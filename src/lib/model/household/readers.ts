/**
 * Household readers: turn a grid's household register (./schema.ts) into frozen plain snapshots.
 *
 *   listHouseholds(doc)      every household (deleted ones flagged), by address; memoised per
 *                            document: a change re-reads only the households it touched, so a
 *                            500-household grid re-renders in a few milliseconds
 *   readHousehold(doc, id)   one household in full: fields, colour (state, conflict, history),
 *                            residents with tags, visits newest first, follow-up links
 *   listExports(doc)         the export records, newest first
 *   visitsDue(list, plan, now)  "我的走访": overdue first (most days overdue first), then colour
 *                            rank (red first), then due date
 *
 * Invariant: pure functions of the document state; replicas holding the same updates return
 * deeply equal snapshots (orders are total orders on data, never on arrival). Malformed entries
 * are skipped, never thrown on.
 */

import * as Y from 'yjs';
import {
	addressKey,
	COLOUR_RANK,
	maskIdNumber,
	maskPhone,
	visitDue,
	type HouseholdAddress,
	type HouseholdColour,
	type HouseholdId,
	type ResidentId,
	type ResidentTag,
	type VisitDue,
	type VisitId,
	type VisitPlanDefaults
} from '../../domain/household';
import { compareByAtThenId } from '../../domain/ordering';
import { parsePhotoRef, type PhotoRef } from '../case/photos';
import type { FieldConflict, FieldState } from '../field-log';
import {
	EXPORT_FORMATS,
	FOLLOW_UP_KINDS,
	type ExportRecord,
	type FollowUpKind,
	type FollowUpLink,
	type VisitRecord
} from './commands';
import {
	creationOf,
	exportsArray,
	findHousehold,
	householdsMap,
	LINKS_KEY,
	parseHouseholdRecord,
	parseResidentRecord,
	readColourEdits,
	readColourState,
	readHouseholdFieldStates,
	readResidentFieldStates,
	storedItems,
	tagsOf,
	VISITS_KEY,
	type HouseholdFieldStates,
	type HouseholdRecord,
	type ResidentFieldStates
} from './schema';

export type ColourChange = Readonly<{
	editId: string;
	colour: HouseholdColour;
	reason: string;
	by: string;
	deviceId: string;
	at: number;
}>;

export type ColourSnapshot = Readonly<{
	colour: HouseholdColour;
	/** The shown colour's reason. */
	reason: string;
	/** When the shown colour was set: a never-visited household's visits are due from here. */
	since: number;
	/** Concurrent different colours, the shown one first; null when there is one. */
	conflict: FieldConflict<HouseholdColour> | null;
	heads: readonly string[];
	/** Every colour the household ever had, oldest first. */
	history: readonly ColourChange[];
}>;

export type ResidentSnapshot = Readonly<{
	id: ResidentId;
	fields: ResidentFieldStates;
	tags: readonly ResidentTag[];
	/**
	 * The phone and ID number as a screen shows them until someone reveals one on purpose
	 * (`fields.phone.value`, `fields.idNumber.value` hold them in full).
	 */
	masked: Readonly<{ phone: string; idNumber: string }>;
	removed: boolean;
	hasConflict: boolean;
	createdBy: string;
	createdAt: number;
	/** Its place among the residents written with it (the form's or the sheet's order). */
	order: number;
}>;

export type VisitSnapshot = VisitRecord & Readonly<{ followUps: readonly FollowUpLink[] }>;

export type HouseholdSummary = Readonly<{
	id: HouseholdId;
	address: HouseholdAddress;
	addressKey: string;
	buildingId: string;
	note: string;
	colour: HouseholdColour;
	colourSince: number;
	colourConflict: boolean;
	/** Any field, the colour or a resident's field in conflict. */
	hasConflict: boolean;
	/** Residents not removed. */
	residentCount: number;
	/** The names of residents not removed (the register searches them). */
	residentNames: readonly string[];
	/** The tags any resident (not removed) has. */
	tags: readonly ResidentTag[];
	/** The latest visit's `visitedAt`, or null. */
	lastVisitAt: number | null;
	/** When each visit took place (for the statistics), newest first. */
	visitTimes: readonly number[];
	/** 0 = the colour's default from the community's visit plan. */
	visitIntervalDays: number;
	registeredAt: number;
	deleted: boolean;
}>;

export type HouseholdSnapshot = HouseholdSummary &
	Readonly<{
		fields: HouseholdFieldStates;
		colourState: ColourSnapshot;
		/** Live residents first (oldest first), then removed ones. */
		residents: readonly ResidentSnapshot[];
		/** Newest first (visitedAt, then id), each with its follow-ups. */
		visits: readonly VisitSnapshot[];
		lastVisit: VisitSnapshot | null;
		/** Every follow-up link, oldest first. */
		links: readonly FollowUpLink[];
		registeredBy: string;
	}>;

const isRecord = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';
const isStamp = (value: unknown): value is number =>
	typeof value === 'number' && Number.isFinite(value);

function parseVisit(raw: unknown): VisitRecord | null {
	if (!isRecord(raw)) return null;
	const { id, visitedAt, visitors, findings, photos, by, memberId, deviceId, at } = raw;
	if (!isString(id) || !isStamp(visitedAt) || !isStamp(at)) return null;
	if (!Array.isArray(visitors) || !visitors.every(isString) || !isString(findings)) return null;
	if (!isString(by) || !isString(memberId) || !isString(deviceId)) return null;
	const refs = (Array.isArray(photos) ? photos : [])
		.map(parsePhotoRef)
		.filter((ref): ref is PhotoRef => ref !== null);
	return Object.freeze({
		id: id as VisitId,
		visitedAt,
		visitors: Object.freeze([...visitors]),
		findings,
		photos: Object.freeze(refs),
		by,
		memberId,
		deviceId,
		at
	});
}

function parseLink(raw: unknown): FollowUpLink | null {
	if (!isRecord(raw)) return null;
	const { id, visitId, kind, targetId, gridId, by, memberId, deviceId, at } = raw;
	if (!isString(id) || !isString(visitId) || !isString(targetId) || !isString(gridId)) return null;
	if (!(FOLLOW_UP_KINDS as readonly unknown[]).includes(kind)) return null;
	if (!isString(by) || !isString(memberId) || !isString(deviceId) || !isStamp(at)) return null;
	return Object.freeze({
		id,
		visitId: visitId as VisitId,
		kind: kind as FollowUpKind,
		targetId,
		gridId,
		by,
		memberId,
		deviceId,
		at
	});
}

const byVisitedAtDesc = (a: VisitRecord, b: VisitRecord) =>
	compareByAtThenId({ at: b.visitedAt, id: b.id }, { at: a.visitedAt, id: a.id });

/** Visits, one per id, newest first. */
function readVisits(record: HouseholdRecord): VisitRecord[] {
	const byId = new Map<string, VisitRecord>();
	for (const raw of storedItems(record, VISITS_KEY)) {
		const visit = parseVisit(raw);
		if (visit && !byId.has(visit.id)) byId.set(visit.id, visit);
	}
	return [...byId.values()].sort(byVisitedAtDesc);
}

function readLinks(record: HouseholdRecord): FollowUpLink[] {
	const links: FollowUpLink[] = [];
	for (const raw of storedItems(record, LINKS_KEY)) {
		const link = parseLink(raw);
		if (link) links.push(link);
	}
	return links.sort(compareByAtThenId);
}

function readColour(record: HouseholdRecord): ColourSnapshot {
	const edits = readColourEdits(record);
	const state = readColourState(record);
	const shown = edits.find((edit) => edit.id === state.heads[0]);
	const history = [...edits].sort(compareByAtThenId).map((edit) =>
		Object.freeze({
			editId: edit.id,
			colour: edit.value,
			reason: edit.reason,
			by: edit.by,
			deviceId: edit.deviceId,
			at: edit.at
		})
	);
	return Object.freeze({
		colour: state.value,
		reason: shown?.reason ?? '',
		since: shown?.at ?? creationOf(record.initial).at,
		conflict: state.conflict,
		heads: state.heads,
		history: Object.freeze(history)
	});
}

const hasFieldConflict = (states: Readonly<Record<string, unknown>>): boolean =>
	Object.values(states).some(
		(state) =>
			isRecord(state) && 'conflict' in state && (state as FieldState<never>).conflict !== null
	);

function readResidents(record: HouseholdRecord): ResidentSnapshot[] {
	const residents: ResidentSnapshot[] = [];
	for (const [key, value] of record.residents.entries()) {
		const resident = parseResidentRecord(key, value);
		if (!resident) continue;
		const fields = readResidentFieldStates(resident);
		const created = creationOf(resident.initial);
		residents.push(
			Object.freeze({
				id: resident.id,
				fields,
				tags: tagsOf(fields),
				masked: Object.freeze({
					phone: maskPhone(fields.phone.value),
					idNumber: maskIdNumber(fields.idNumber.value)
				}),
				removed: fields.removed.value,
				hasConflict: hasFieldConflict(fields) || hasFieldConflict(fields.tags),
				createdBy: created.by,
				createdAt: created.at,
				order: typeof resident.initial.order === 'number' ? resident.initial.order : 0
			})
		);
	}
	return residents.sort(
		(a, b) =>
			Number(a.removed) - Number(b.removed) ||
			a.createdAt - b.createdAt ||
			a.order - b.order ||
			compareByAtThenId({ at: a.createdAt, id: a.id }, { at: b.createdAt, id: b.id })
	);
}

type Parts = Readonly<{
	summary: HouseholdSummary;
	fields: HouseholdFieldStates;
	colour: ColourSnapshot;
	residents: ResidentSnapshot[];
	visits: VisitRecord[];
}>;

function readParts(record: HouseholdRecord): Parts {
	const fields = readHouseholdFieldStates(record);
	const colour = readColour(record);
	const residents = readResidents(record);
	const visits = readVisits(record);
	const live = residents.filter((resident) => !resident.removed);
	const tags = new Set<ResidentTag>();
	for (const resident of live) for (const tag of resident.tags) tags.add(tag);
	const address: HouseholdAddress = Object.freeze({
		compound: fields.compound.value,
		building: fields.building.value,
		unit: fields.unit.value,
		room: fields.room.value
	});
	const summary: HouseholdSummary = Object.freeze({
		id: record.id,
		address,
		addressKey: addressKey(address),
		buildingId: fields.buildingId.value,
		note: fields.note.value,
		colour: colour.colour,
		colourSince: colour.since,
		colourConflict: colour.conflict !== null,
		hasConflict:
			colour.conflict !== null ||
			hasFieldConflict(fields) ||
			residents.some((resident) => resident.hasConflict),
		residentCount: live.length,
		residentNames: Object.freeze(live.map((resident) => resident.fields.name.value)),
		tags: Object.freeze([...tags].sort()),
		lastVisitAt: visits[0]?.visitedAt ?? null,
		visitTimes: Object.freeze(visits.map((visit) => visit.visitedAt)),
		visitIntervalDays: fields.visitIntervalDays.value,
		registeredAt: creationOf(record.initial).at,
		deleted: fields.deleted.value
	});
	return { summary, fields, colour, residents, visits };
}

/** One household in full, or null when there is none (or it is malformed). */
export function readHousehold(doc: Y.Doc, householdId: string): HouseholdSnapshot | null {
	const record = findHousehold(doc, householdId);
	if (!record) return null;
	const { summary, fields, colour, residents, visits } = readParts(record);
	const links = readLinks(record);
	const withLinks = visits.map((visit) =>
		Object.freeze({
			...visit,
			followUps: Object.freeze(links.filter((link) => link.visitId === visit.id))
		})
	);
	return Object.freeze({
		...summary,
		fields,
		colourState: colour,
		residents: Object.freeze(residents),
		visits: Object.freeze(withLinks),
		lastVisit: withLinks[0] ?? null,
		links: Object.freeze(links),
		registeredBy: creationOf(record.initial).by
	});
}

/**
 * Per-document memo of household summaries: `observeDeep` on the households map marks the
 * households a change touched; a list re-reads only those.
 */
type SummaryMemo = {
	summaries: Map<string, HouseholdSummary | null>;
	stale: Set<string> | 'all';
	list: readonly HouseholdSummary[] | null;
};
const memos = new WeakMap<Y.Doc, SummaryMemo>();

function summaryMemo(doc: Y.Doc): SummaryMemo {
	const existing = memos.get(doc);
	if (existing) return existing;
	const memo: SummaryMemo = { summaries: new Map(), stale: 'all', list: null };
	const households = householdsMap(doc);
	households.observeDeep((events) => {
		memo.list = null;
		if (memo.stale === 'all') return;
		for (const event of events) {
			if (event.target === households) {
				for (const key of event.changes.keys.keys()) memo.stale.add(key);
			} else {
				const key = event.path[0];
				if (typeof key === 'string') memo.stale.add(key);
				else memo.stale = 'all';
			}
			if (memo.stale === 'all') return;
		}
	});
	memos.set(doc, memo);
	return memo;
}

const readSummary = (key: string, value: unknown): HouseholdSummary | null => {
	const record = parseHouseholdRecord(key, value);
	return record ? readParts(record).summary : null;
};

/** The address order of a list: compound, building, unit, room (numbers in number order). */
const collator = new Intl.Collator('zh-CN', { numeric: true });
function compareAddress(a: HouseholdSummary, b: HouseholdSummary): number {
	for (const part of ['compound', 'building', 'unit', 'room'] as const) {
		const order = collator.compare(a.address[part], b.address[part]);
		if (order !== 0) return order;
	}
	return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Every household of the grid (deleted ones flagged `deleted`), in address order. */
export function listHouseholds(doc: Y.Doc): readonly HouseholdSummary[] {
	const memo = summaryMemo(doc);
	if (memo.list) return memo.list;
	const households = householdsMap(doc);
	if (memo.stale === 'all') {
		memo.summaries.clear();
		for (const [key, value] of households.entries()) {
			memo.summaries.set(key, readSummary(key, value));
		}
	} else {
		for (const key of memo.stale) {
			const value = households.get(key);
			if (value === undefined) memo.summaries.delete(key);
			else memo.summaries.set(key, readSummary(key, value));
		}
	}
	memo.stale = new Set();
	const list: HouseholdSummary[] = [];
	for (const summary of memo.summaries.values()) if (summary) list.push(summary);
	memo.list = Object.freeze(list.sort(compareAddress));
	return memo.list;
}

function parseExport(raw: unknown): ExportRecord | null {
	if (!isRecord(raw)) return null;
	const { id, at, by, memberId, deviceId, scope, format, full, households } = raw;
	if (!isString(id) || !isStamp(at) || !isString(by) || !isString(memberId)) return null;
	if (!isString(deviceId) || (scope !== 'grid' && scope !== 'community')) return null;
	const formats: readonly unknown[] = EXPORT_FORMATS;
	if (!formats.includes(format) || typeof full !== 'boolean') return null;
	if (!Number.isSafeInteger(households)) return null;
	return Object.freeze({
		id,
		at,
		by,
		memberId,
		deviceId,
		scope,
		format: format as ExportRecord['format'],
		full,
		households: households as number
	});
}

/** Every export of this grid's register, newest first. */
export function listExports(doc: Y.Doc): readonly ExportRecord[] {
	const records: ExportRecord[] = [];
	for (const raw of exportsArray(doc).toArray()) {
		const record = parseExport(raw);
		if (record) records.push(record);
	}
	return Object.freeze(records.sort((a, b) => compareByAtThenId(b, a)));
}

/** The interval a household is visited at: its own, or its colour's from the plan. */
export function intervalOf(
	household: Pick<HouseholdSummary, 'colour' | 'visitIntervalDays'>,
	plan: VisitPlanDefaults
): number {
	return household.visitIntervalDays > 0 ? household.visitIntervalDays : plan[household.colour];
}

export type DueVisit = Readonly<{
	household: HouseholdSummary;
	intervalDays: number;
	due: VisitDue;
}>;

/**
 * "我的走访": every live household with when its next visit is due, overdue ones first (most
 * days overdue first), then by colour rank (red first), then by due date; ties by address.
 */
export function visitsDue(
	households: readonly HouseholdSummary[],
	plan: VisitPlanDefaults,
	now: number
): readonly DueVisit[] {
	const rows: DueVisit[] = [];
	for (const household of households) {
		if (household.deleted) continue;
		const intervalDays = intervalOf(household, plan);
		const due = visitDue(
			{ lastVisitAt: household.lastVisitAt, since: household.colourSince, intervalDays },
			now
		);
		rows.push(Object.freeze({ household, intervalDays, due }));
	}
	rows.sort(
		(a, b) =>
			Number(b.due.state === 'overdue') - Number(a.due.state === 'overdue') ||
			b.due.overdueDays - a.due.overdueDays ||
			COLOUR_RANK[a.household.colour] - COLOUR_RANK[b.household.colour] ||
			a.due.dueAt - b.due.dueAt ||
			compareAddress(a.household, b.household)
	);
	return Object.freeze(rows);
}
