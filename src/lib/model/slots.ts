/**
 * Log slots: one logical append-only list kept under `key` and any `key~<clientID>` in a Y.Map.
 * A replica appends to `key` when it exists, else to its own `key~<clientID>`, which no other
 * replica session ever creates; readers take the union. So a Y type added after a record was
 * created (a new field on an old case, a new setting) is never created by two replicas under one
 * key, where Yjs would keep one and drop the other with everything appended to it.
 */

import * as Y from 'yjs';

export function logSlots(map: Y.Map<unknown>, key: string): Y.Array<unknown>[] {
	return slotsOf(map, key, (value): value is Y.Array<unknown> => value instanceof Y.Array);
}

/**
 * `logSlots` of every key of `map` at once, in one pass: key (without `~<clientID>`) → its
 * Y.Arrays. For readers that need all of a record's lists (a board reads thousands of records).
 */
export function logSlotsByKey(map: Y.Map<unknown>): Map<string, Y.Array<unknown>[]> {
	const byKey = new Map<string, Y.Array<unknown>[]>();
	map.forEach((value, name) => {
		if (!(value instanceof Y.Array)) return;
		const tilde = name.indexOf('~');
		const key = tilde < 0 ? name : name.slice(0, tilde);
		const list = byKey.get(key);
		if (list) list.push(value);
		else byKey.set(key, [value]);
	});
	return byKey;
}

export function slotsOf<T>(
	map: Y.Map<unknown>,
	key: string,
	is: (value: unknown) => value is T
): T[] {
	const found: T[] = [];
	const main = map.get(key);
	if (is(main)) found.push(main);
	const prefix = `${key}~`;
	for (const [name, value] of map.entries()) {
		if (name.startsWith(prefix) && is(value)) found.push(value);
	}
	return found;
}

/** The Y type this replica appends to under `key`; call inside a transaction. */
export function writableSlot<T extends Y.Array<unknown> | Y.Map<unknown>>(
	map: Y.Map<unknown>,
	key: string,
	make: () => T,
	is: (value: unknown) => value is T
): T {
	const main = map.get(key);
	if (is(main)) return main;
	const own = `${key}~${map.doc?.clientID ?? 0}`;
	const existing = map.get(own);
	if (is(existing)) return existing;
	const created = make();
	map.set(own, created);
	return created;
}

export function writableLogSlot(map: Y.Map<unknown>, key: string): Y.Array<unknown> {
	return writableSlot(
		map,
		key,
		() => new Y.Array<unknown>(),
		(value): value is Y.Array<unknown> => value instanceof Y.Array
	);
}
