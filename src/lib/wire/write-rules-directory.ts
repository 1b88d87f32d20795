/**
 * Write rules of a community's directory (`c/{cid}/directory`, layout:
 * src/lib/model/directory/directory.ts and settings.ts): the grid list and the community's
 * settings.
 *
 *   secretary      add a grid (its map, id, creation stamp, name log), rename it (append to the
 *                  name log), tombstone it (`deletedAt`/`deletedBy`; set again by a second secretary who deleted it
 *                  offline at the same time: the same grid stays deleted), restore it
 *                  (`restoredAt`/`restoredBy`, set again at every later restore), append to a
 *                  setting's field log (`<setting>` or its slot `<setting>~<clientID>`;
 *                  `visitPlan/{green|yellow|red}` holds whole days 1..366)
 *   everyone else  nothing (the access matrix already lets them only read)
 *
 * Nothing is ever removed, and nothing changed but a tombstone set twice: a grid stays in the map after its tombstone, renames and
 * settings are field logs. Every authored value names the writer: `createdBy`, `deletedBy` and
 * each edit's `by`. What the app still decides: whether a grid name or label is valid and
 * whether the category a setting names exists.
 *
 * Invariant: every key the directory commands write has a rule here, and no other (contract
 * test: tests/contract/write-rules-directory.test.ts).
 */
import { isValidIdSegment } from './doc-names.ts';
import {
	allOf,
	authoredEntry,
	isPlainObject,
	keyed,
	list,
	mapOf,
	record,
	secretary,
	slotBase,
	value,
	writerName,
	type DocRules,
	type Rule,
	type ValueCheck
} from './write-rules.ts';

const isNumber: ValueCheck = (v) => (typeof v === 'number' && Number.isFinite(v) ? null : 'shape');
const isString: ValueCheck = (v) => (typeof v === 'string' ? null : 'shape');
const isId: ValueCheck = (v) => (isValidIdSegment(v) ? null : 'shape');

/** A field-log edit whose value passes `valueCheck`, written by its author. */
function fieldLog(valueCheck: ValueCheck): Rule {
	const edit: ValueCheck = (raw, writer, target) => {
		const refusal = authoredEntry(raw, writer);
		if (refusal || !isPlainObject(raw)) return refusal ?? 'shape';
		return valueCheck(raw.value, writer, target);
	};
	return list(secretary, value(secretary, edit));
}

const grid = record(secretary, {
	id: value(secretary, isId),
	createdAt: value(secretary, isNumber),
	createdBy: value(secretary, writerName),
	createdByDevice: value(secretary, isString),
	name: fieldLog(isString),
	deletedAt: value(secretary, isNumber, { change: secretary }),
	deletedBy: value(secretary, allOf(isString, writerName), { change: secretary }),
	restoredAt: value(secretary, isNumber, { change: secretary }),
	restoredBy: value(secretary, allOf(isString, writerName), { change: secretary })
});

const isBoolean: ValueCheck = (v) => (typeof v === 'boolean' ? null : 'shape');
const isDays: ValueCheck = (v) => (typeof v === 'number' && Number.isInteger(v) ? null : 'shape');

/** The log a setting key (without its slot suffix) holds, or null for no such setting. */
function settingLog(key: string): Rule | null {
	if (key === 'timeZone') return TIME_ZONE;
	if (key.startsWith('visitPlan/')) {
		return (VISIT_PLAN_COLOURS as readonly string[]).includes(key.slice(10)) ? VISIT_DAYS : null;
	}
	const [kind, id, rest, extra] = key.split('/');
	if (extra !== undefined || !isValidIdSegment(id)) return null;
	if (kind === 'category' && rest === 'label') return LABEL;
	if (kind === 'category' && rest === 'hidden') return HIDDEN;
	if (kind === 'deadline' && isValidIdSegment(rest)) return DEADLINE;
	return null;
}

/** The household colours a visit plan names (src/lib/domain/household.ts HOUSEHOLD_COLOURS). */
export const VISIT_PLAN_COLOURS = ['green', 'yellow', 'red'] as const;
/** Days between visits: a whole number 1..366 (domain/household.ts isVisitInterval). */
const isVisitDays: ValueCheck = (v) =>
	typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 366 ? null : 'shape';

const TIME_ZONE = fieldLog(isString);
const VISIT_DAYS = fieldLog(isVisitDays);
const LABEL = fieldLog(isString);
const HIDDEN = fieldLog(isBoolean);
const DEADLINE = fieldLog(isDays);

const settings = mapOf(secretary, (key, client) => {
	const base = slotBase(key, client);
	return base === null ? null : settingLog(base);
});

export const DIRECTORY_RULES: DocRules = Object.freeze({
	roots: { grids: keyed(secretary, isValidIdSegment, grid), settings }
});
