/**
 * Write rules of a community's map (`c/{cid}/map`, layout: src/lib/model/map/schema.ts): grid
 * areas and buildings, the secretary's to draw (docs/access.md; everyone else reads the map, so
 * these rules are the second line behind the access matrix).
 *
 *   features: featureId → {
 *     id, kind ('grid' | 'building'), createdAt, createdBy (the writer), createdByDevice,
 *     geometry, name, gridId: field logs (each edit's `by` the writer; a slot `field~<client>`
 *                             allowed as everywhere, src/lib/model/slots.ts),
 *     deletedAt, deletedBy (the writer): the tombstone
 *   }
 *
 * Only the secretary creates a feature or appends to its logs; nothing is ever changed or
 * removed (a feature leaves the map by its tombstone). The one exception: the tombstone's keys,
 * which two secretaries deleting one feature offline both set (TOMBSTONE below). Geometry values
 * are checked here, in the wire contract, so the relay and the app (src/lib/domain/geo.ts) read
 * one definition: a GeoJSON Point, or a Polygon of one closed ring of 4..MAP_MAX_RING_POSITIONS
 * positions, every position [lng, lat] in WGS-84 range.
 *
 * Invariant: every key the model writes has a rule here, and no other (contract test:
 * tests/contract/write-rules-map.test.ts).
 */
import { isValidIdSegment } from './doc-names.ts';
import {
	allOf,
	authoredEntry,
	isPlainObject,
	keyed,
	list,
	mapOf,
	secretary,
	slotBase,
	value,
	writerName,
	type DocRules,
	type Rule,
	type ValueCheck
} from './write-rules.ts';

import { isStoredGeometry, MAP_FEATURE_KINDS, MAP_NAME_MAX } from './map-geometry.ts';

const isString: ValueCheck = (v) => (typeof v === 'string' && v.length <= 200 ? null : 'shape');
const isId: ValueCheck = (v) => (isValidIdSegment(v) ? null : 'shape');
const isNumber: ValueCheck = (v) => (typeof v === 'number' && Number.isFinite(v) ? null : 'shape');
const isKind: ValueCheck = (v) =>
	(MAP_FEATURE_KINDS as readonly unknown[]).includes(v) ? null : 'shape';

/** The value a field's log may hold. */
const FIELD_VALUES: Readonly<Record<string, (value: unknown) => boolean>> = {
	geometry: isStoredGeometry,
	name: (v) => typeof v === 'string' && [...v].length <= MAP_NAME_MAX,
	gridId: (v) => v === '' || isValidIdSegment(v)
};

/** A field log edit (src/lib/model/field-log.ts) written by its author, with a valid value. */
function fieldEdit(field: string): ValueCheck {
	const isValue = FIELD_VALUES[field] ?? (() => false);
	return (raw, writer) => {
		const refusal = authoredEntry(raw, writer);
		if (refusal || !isPlainObject(raw)) return refusal ?? 'shape';
		const { id, bases, deviceId, at } = raw;
		if (!isValidIdSegment(id) || typeof deviceId !== 'string' || deviceId.length > 200) {
			return 'shape';
		}
		if (!Array.isArray(bases) || bases.length > 64 || !bases.every(isValidIdSegment)) {
			return 'shape';
		}
		if (typeof at !== 'number' || !Number.isFinite(at)) return 'shape';
		return isValue(raw.value) ? null : 'shape';
	};
}

const FIELD_LOGS: Readonly<Record<string, Rule>> = Object.fromEntries(
	Object.keys(FIELD_VALUES).map((field) => [
		field,
		list(secretary, value(secretary, fieldEdit(field)))
	])
);

/**
 * The tombstone's keys: set by the secretary, possibly twice (two secretaries deleting one feature
 * offline). The second set replaces the first: Yjs settles the key the same way in every replica
 * (the loser is deleted on integration, by no one's delete set), so a change is allowed and a
 * removal is not: the feature never comes back.
 */
const TOMBSTONE = { change: secretary } as const;

const PLAIN_KEYS: Readonly<Record<string, Rule>> = {
	id: value(secretary, isId),
	kind: value(secretary, isKind),
	createdAt: value(secretary, isNumber),
	createdBy: value(secretary, writerName),
	createdByDevice: value(secretary, isString),
	// Two secretaries may delete one feature offline: the second tombstone lands on a key the
	// relay already has, and Yjs settles the two by deleting one of them. Refusing that would
	// refuse everything else the second phone wrote since (Yjs cannot take back part of a stream),
	// so the secretary may set these keys again and Yjs may drop the loser (see TOMBSTONE).
	deletedAt: value(secretary, isNumber, TOMBSTONE),
	deletedBy: value(secretary, allOf(isString, writerName), TOMBSTONE)
};

const feature = mapOf(secretary, (key, client) => {
	if (Object.hasOwn(PLAIN_KEYS, key)) return PLAIN_KEYS[key] ?? null;
	const base = slotBase(key, client);
	return base !== null && Object.hasOwn(FIELD_LOGS, base) ? (FIELD_LOGS[base] ?? null) : null;
});

export const MAP_RULES: DocRules = Object.freeze({
	roots: {
		features: keyed(secretary, isValidIdSegment, feature)
	}
});
