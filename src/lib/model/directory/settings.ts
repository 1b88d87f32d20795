/**
 * Community settings in the directory document (`c/{communityId}/directory`): the community's
 * case categories (its own added, any renamed or hidden), its deadline rules, its time zone
 * (the zone "due on day D" and every shown date are read in: domain/due-date.ts) and its visit
 * plan (how often a household of each colour is visited, issue 18).
 *
 *   doc.getMap('settings'):
 *     category/{categoryId}/label    → field log (string; '' = the built-in label)
 *     category/{categoryId}/hidden   → field log (boolean)
 *     deadline/{categoryId}/{tier}   → field log (whole days)
 *     timeZone                       → field log (IANA zone name; none = Asia/Shanghai)
 *     visitPlan/{colour}             → field log (whole days between household visits, 1..366;
 *                                      none = DEFAULT_VISIT_PLAN of domain/household.ts)
 *     <any key>~<clientID>           → the same log, written by one replica session
 *
 * Invariant: settings are field logs like case fields, so two secretaries changing one setting
 * concurrently keep both values (the reader shows the latest and flags the conflict). Log keys
 * are never created by two replicas: a replica appends to the shared key when it exists and to
 * its own `~clientID` key otherwise; readers take the union. Only secretaries write settings.
 */

import * as Y from 'yjs';
import {
	CASE_CATEGORIES,
	isBuiltInCategory,
	isCaseCategory,
	type CaseCategory
} from '../../domain/case-category';
import { isValidDeadlineDays, type DeadlineRules } from '../../domain/case-deadline';
import { DEFAULT_TIME_ZONE, isTimeZone } from '../../domain/due-date';
import { isTier, type Tier } from '../../domain/case-options';
import {
	DEFAULT_VISIT_PLAN,
	HOUSEHOLD_COLOURS,
	isHouseholdColour,
	isVisitInterval,
	type HouseholdColour,
	type VisitPlanDefaults
} from '../../domain/household';
import { newEditId, newId } from '../../domain/ids';
import { err, ok, type Result } from '../../domain/result';
import {
	readFieldEdits,
	resolveFieldState,
	type FieldState,
	type IsFieldValue
} from '../field-log';
import { logSlots, writableLogSlot } from '../slots';
import { ORIGIN_LOCAL_EDIT } from '../origins';
import { commandTime } from '../command-context';
import { mayEditDirectory, type DirectoryContext } from './directory';

export const CATEGORY_LABEL_MAX = 20;

export type CommunityCategory = Readonly<{
	id: CaseCategory;
	builtIn: boolean;
	/** The community's own label; '' for a built-in category shown with its translated name. */
	label: string;
	hidden: boolean;
	conflict: boolean;
}>;

export type CommunitySettings = Readonly<{
	/** Built-in categories in their order, then the community's own, oldest first. */
	categories: readonly CommunityCategory[];
	deadlineRules: DeadlineRules;
	/** The community's time zone (IANA name); the zones set concurrently, when more than one. */
	timeZone: string;
	timeZoneConflict: readonly string[] | null;
	/** Days between visits per household colour. */
	visitPlan: VisitPlanDefaults;
	/** The colours whose interval two secretaries set concurrently (the latest is shown). */
	visitPlanConflicts: readonly HouseholdColour[];
}>;

export type SettingsReason =
	| 'not_permitted'
	| 'label_required'
	| 'label_too_long'
	| 'category_not_found'
	| 'days_invalid'
	| 'time_zone_invalid'
	| 'colour_invalid';

const isString = (value: unknown): value is string => typeof value === 'string';
const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';

function settingsMap(doc: Y.Doc): Y.Map<unknown> {
	return doc.getMap<unknown>('settings');
}

function readSetting<T extends string | number | boolean>(
	map: Y.Map<unknown>,
	key: string,
	isValue: IsFieldValue<T>,
	fallback: T
): FieldState<T> {
	const edits = logSlots(map, key).flatMap((log) => readFieldEdits(log, isValue));
	return resolveFieldState(edits, fallback);
}

function writeSetting<T extends string | number | boolean>(
	doc: Y.Doc,
	key: string,
	value: T,
	isValue: IsFieldValue<T>,
	context: DirectoryContext
): void {
	const { actor } = context;
	const at = commandTime(context);
	const map = settingsMap(doc);
	const { heads } = readSetting(map, key, isValue, value);
	doc.transact(() => {
		writableLogSlot(map, key).push([
			{ id: newEditId(), value, bases: [...heads], by: actor.name, deviceId: actor.deviceId, at }
		]);
	}, ORIGIN_LOCAL_EDIT);
}

function validateLabel(label: string): Result<string, SettingsReason> {
	const trimmed = label.trim();
	if (trimmed === '') return err('label_required');
	return [...trimmed].length > CATEGORY_LABEL_MAX ? err('label_too_long') : ok(trimmed);
}

/** Adds a community category; returns its new id. Secretaries only. */
export function addCategory(
	doc: Y.Doc,
	label: string,
	context: DirectoryContext
): Result<CaseCategory, SettingsReason> {
	if (!mayEditDirectory(context)) return err('not_permitted');
	const valid = validateLabel(label);
	if (!valid.ok) return valid;
	const id = newId('cat') as CaseCategory;
	writeSetting(doc, `category/${id}/label`, valid.value, isString, context);
	return ok(id);
}

function knownCategory(doc: Y.Doc, id: string): boolean {
	if (isBuiltInCategory(id)) return true;
	return isCaseCategory(id) && logSlots(settingsMap(doc), `category/${id}/label`).length > 0;
}

/** Renames a category (a built-in one too: only the label this community shows changes). */
export function renameCategory(
	doc: Y.Doc,
	id: string,
	label: string,
	context: DirectoryContext
): Result<true, SettingsReason> {
	if (!mayEditDirectory(context)) return err('not_permitted');
	const valid = validateLabel(label);
	if (!valid.ok) return valid;
	if (!knownCategory(doc, id)) return err('category_not_found');
	writeSetting(doc, `category/${id}/label`, valid.value, isString, context);
	return ok(true);
}

/** Hides a category from the report form (cases that have it keep it), or shows it again. */
export function setCategoryHidden(
	doc: Y.Doc,
	id: string,
	hidden: boolean,
	context: DirectoryContext
): Result<true, SettingsReason> {
	if (!mayEditDirectory(context)) return err('not_permitted');
	if (!knownCategory(doc, id)) return err('category_not_found');
	writeSetting(doc, `category/${id}/hidden`, hidden, isBoolean, context);
	return ok(true);
}

/** Sets how many days a tier has for a category's cases. */
export function setDeadlineDays(
	doc: Y.Doc,
	category: string,
	tier: Tier,
	days: number,
	context: DirectoryContext
): Result<true, SettingsReason> {
	if (!mayEditDirectory(context)) return err('not_permitted');
	if (!isValidDeadlineDays(days)) return err('days_invalid');
	if (!knownCategory(doc, category) || !isTier(tier)) return err('category_not_found');
	writeSetting(doc, `deadline/${category}/${tier}`, days, isValidDeadlineDays, context);
	return ok(true);
}

/** Sets the community's time zone: where "due on day D" ends and the zone dates are shown in. */
export function setCommunityTimeZone(
	doc: Y.Doc,
	zone: string,
	context: DirectoryContext
): Result<true, SettingsReason> {
	if (!mayEditDirectory(context)) return err('not_permitted');
	if (!isTimeZone(zone)) return err('time_zone_invalid');
	writeSetting(doc, 'timeZone', zone, isTimeZone, context);
	return ok(true);
}

/** Sets how many days apart households of a colour are visited (1..366). Secretaries only. */
export function setVisitInterval(
	doc: Y.Doc,
	colour: HouseholdColour,
	days: number,
	context: DirectoryContext
): Result<true, SettingsReason> {
	if (!mayEditDirectory(context)) return err('not_permitted');
	if (!isHouseholdColour(colour)) return err('colour_invalid');
	if (!isVisitInterval(days)) return err('days_invalid');
	writeSetting(doc, `visitPlan/${colour}`, days, isVisitInterval, context);
	return ok(true);
}

function readVisitPlanStates(map: Y.Map<unknown>) {
	return HOUSEHOLD_COLOURS.map(
		(colour) =>
			[
				colour,
				readSetting(map, `visitPlan/${colour}`, isVisitInterval, DEFAULT_VISIT_PLAN[colour])
			] as const
	);
}

/** The community's visit plan: days between visits per colour (the defaults where unset). */
export function readVisitPlan(doc: Y.Doc): VisitPlanDefaults {
	const states = readVisitPlanStates(settingsMap(doc));
	return Object.freeze(
		Object.fromEntries(states.map(([c, s]) => [c, s.value]))
	) as VisitPlanDefaults;
}

function readTimeZoneState(map: Y.Map<unknown>): FieldState<string> {
	return readSetting(map, 'timeZone', isTimeZone, DEFAULT_TIME_ZONE);
}

/** Only the community's time zone (for screens that need no other setting). */
export function readCommunityTimeZone(doc: Y.Doc): string {
	return readTimeZoneState(settingsMap(doc)).value;
}

export function readCommunitySettings(doc: Y.Doc): CommunitySettings {
	const map = settingsMap(doc);
	const custom = new Map<string, number>();
	const rules: Record<string, Partial<Record<Tier, number>>> = {};
	for (const key of map.keys()) {
		const [kind, id = '', rest = ''] = key.split('~')[0]?.split('/') ?? [];
		if (kind === 'category' && rest === 'label' && !isBuiltInCategory(id) && isCaseCategory(id)) {
			const first = logSlots(map, key)
				.flatMap((log) => readFieldEdits(log, isString))
				.reduce((min, edit) => Math.min(min, edit.at), Infinity);
			custom.set(id, Math.min(first, custom.get(id) ?? Infinity));
		}
		if (kind === 'deadline' && isTier(rest) && isCaseCategory(id)) {
			const state = readSetting(map, `deadline/${id}/${rest}`, isValidDeadlineDays, 0);
			if (state.value > 0) (rules[id] ??= {})[rest] = state.value;
		}
	}
	const ids: CaseCategory[] = [
		...CASE_CATEGORIES,
		...([...custom.entries()]
			.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))
			.map(([id]) => id) as CaseCategory[])
	];
	const categories = ids.map((id) => {
		const label = readSetting(map, `category/${id}/label`, isString, '');
		const hidden = readSetting(map, `category/${id}/hidden`, isBoolean, false);
		return Object.freeze({
			id,
			builtIn: isBuiltInCategory(id),
			label: label.value,
			hidden: hidden.value,
			conflict: label.conflict !== null || hidden.conflict !== null
		});
	});
	const timeZone = readTimeZoneState(map);
	const plan = readVisitPlanStates(map);
	return Object.freeze({
		visitPlan: Object.freeze(
			Object.fromEntries(plan.map(([colour, state]) => [colour, state.value]))
		) as VisitPlanDefaults,
		visitPlanConflicts: Object.freeze(
			plan.filter(([, state]) => state.conflict !== null).map(([colour]) => colour)
		),
		categories: Object.freeze(categories),
		deadlineRules: Object.freeze(rules),
		timeZone: timeZone.value,
		timeZoneConflict: timeZone.conflict
			? Object.freeze(timeZone.conflict.values.map((candidate) => candidate.value))
			: null
	});
}
