/**
 * What each role may write inside each kind of document: the schema the relay checks every
 * incoming update against (sync-server/write-guard.ts) before it stores or forwards it.
 *
 * A document is described from its root types down. Every position (a root type, the value at a
 * key of a Y.Map, an element of a Y.Array) has a rule saying what may be there and who may:
 *
 *   create  put something at the position: a new key of a map, a new element of an array
 *   change  replace the value of a key that is already there (Y.Map set over an existing key)
 *   remove  delete it (Y.Map delete, Y.Array delete)
 *
 * `change` and `remove` default to nobody: history (timelines, field logs, claims, visits,
 * receipts) is append-only for everyone, the secretary included. A `text` position holds rich
 * text (the meeting minutes): whoever may `edit` it may insert and delete anything beneath it.
 * A position with no rule does not exist: writing there is refused (`shape`). Plain values
 * (JSON written by `map.set(key, value)` or `array.push([value])`) are checked by the rule's
 * `check`, which also proves authorship: an entry naming an author must name the writer.
 *
 * Invariants:
 * - Deny by default: an unknown root, key, role or shape is refused.
 * - Pure data and predicates, no Yjs (the wire contract imports nothing but its own files); the
 *   relay maps Yjs structs onto these rules, the app's commands write what they allow (the
 *   contract tests in tests/contract/write-rules-*.test.ts run every command against them).
 * - The root `ATTESTATION_ROOT` is the relay's own: no client may write it.
 */
import type { Role } from './access.ts';
import type { DocKind } from './doc-names.ts';

/** Who is writing: taken from the verified token, never from the update. */
export type Writer = Readonly<{
	memberId: string;
	name: string;
	role: Role;
	grids: readonly string[];
}>;

/** Which document is written: its kind and id (grid id, meeting id or 'index'). */
export type WriteTarget = Readonly<{ kind: DocKind; id: string | null }>;

export type Who = (writer: Writer, target: WriteTarget) => boolean;

/**
 * Why the relay refused an update (message 102's reason):
 * - not_permitted: the writer's role may not do this here;
 * - history: it changes or removes something append-only;
 * - author: it names another member as its author;
 * - shape: it writes where the document has no such position, or the wrong kind of thing;
 * - foreign_client: it carries content under a Yjs client id attested to another member;
 * - missing_dependency: it builds on content the relay does not have; the relay answers with a
 *   sync step 1 instead of message 102, so the client resends what is missing.
 */
export const WRITE_REFUSALS = [
	'not_permitted',
	'history',
	'author',
	'shape',
	'foreign_client',
	'missing_dependency'
] as const;
export type WriteRefusal = (typeof WRITE_REFUSALS)[number];

export function isWriteRefusal(value: unknown): value is WriteRefusal {
	return typeof value === 'string' && (WRITE_REFUSALS as readonly string[]).includes(value);
}

/** Checks one plain value; null when it is acceptable from this writer. */
export type ValueCheck = (
	value: unknown,
	writer: Writer,
	target: WriteTarget
) => WriteRefusal | null;

type Common = Readonly<{ create: Who; change?: Who; remove?: Who }>;

export type MapRule = Common &
	Readonly<{
		type: 'map';
		/** The rule of the value at `key`, written by Yjs client `client`; null: no such key. */
		child: (key: string, client: number) => Rule | null;
	}>;
export type ArrayRule = Common & Readonly<{ type: 'array'; item: Rule }>;
export type ValueRule = Common & Readonly<{ type: 'value'; check?: ValueCheck }>;
export type TextRule = Common & Readonly<{ type: 'text'; edit: Who }>;
export type Rule = MapRule | ArrayRule | ValueRule | TextRule;

/** A document kind's rules: its root types by name. */
export type DocRules = Readonly<{ roots: Readonly<Record<string, Rule>> }>;

/** The root where the relay attests who wrote what (src/lib/wire/attestation.ts). */
export const ATTESTATION_ROOT = 'attest';

// ---- Who ------------------------------------------------------------------------------------

export const nobody: Who = () => false;
export const anyWriter: Who = () => true;
export const secretary: Who = (w) => w.role === 'secretary';
/** Staff of the document's grid: the secretary, or a grid member on their own grid. */
export const gridStaff: Who = (w, t) =>
	w.role === 'secretary' || (w.role === 'grid-member' && t.id !== null && w.grids.includes(t.id));
/** Secretaries and grid members (any grid): the community's staff. */
export const staff: Who = (w) => w.role === 'secretary' || w.role === 'grid-member';

// ---- Building rules -------------------------------------------------------------------------

type Options = Readonly<{ change?: Who; remove?: Who }>;

/** A Y.Map whose keys are listed; `create` is who may create the map itself. */
export function record(
	create: Who,
	keys: Readonly<Record<string, Rule>>,
	options: Options = {}
): MapRule {
	return {
		type: 'map',
		create,
		...options,
		child: (key) => (Object.hasOwn(keys, key) ? (keys[key] ?? null) : null)
	};
}

/** A Y.Map keyed by ids (`isKey`), every value following `value`. */
export function keyed(
	create: Who,
	isKey: (key: string) => boolean,
	value: Rule,
	options: Options = {}
): MapRule {
	return { type: 'map', create, ...options, child: (key) => (isKey(key) ? value : null) };
}

/** A Y.Map with its own `child` function (slots, mixed keys). */
export function mapOf(
	create: Who,
	child: (key: string, client: number) => Rule | null,
	options: Options = {}
): MapRule {
	return { type: 'map', create, ...options, child };
}

export function list(create: Who, item: Rule, options: Options = {}): ArrayRule {
	return { type: 'array', create, ...options, item };
}

export function value(create: Who, check?: ValueCheck, options: Options = {}): ValueRule {
	return check
		? { type: 'value', create, ...options, check }
		: { type: 'value', create, ...options };
}

export function richText(create: Who, edit: Who): TextRule {
	return { type: 'text', create, edit };
}

/**
 * A log slot (src/lib/model/slots.ts): `base` itself (from before slots) or `base~<clientID>`,
 * where the client id is the writer's own, so no two replicas ever create one key.
 */
export function isSlotOf(key: string, base: string, client: number): boolean {
	return key === base || key === `${base}~${client}`;
}

/** The base of a slot key written by `client` (`title~42` → `title`), or null. */
export function slotBase(key: string, client: number): string | null {
	const tilde = key.indexOf('~');
	if (tilde < 0) return key;
	return key.slice(tilde + 1) === String(client) ? key.slice(0, tilde) : null;
}

// ---- Checking values ------------------------------------------------------------------------

export function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An entry object naming its author: `by` (the display name) must be the writer's, and a
 * `memberId`, when present, the writer's id.
 */
export function authoredEntry(value: unknown, writer: Writer, byKey = 'by'): WriteRefusal | null {
	if (!isPlainObject(value)) return 'shape';
	if (value[byKey] !== writer.name) return 'author';
	if ('memberId' in value && value.memberId !== writer.memberId) return 'author';
	return null;
}

/** A plain value naming the writer (a record's `createdBy`). */
export const writerName: ValueCheck = (v, w) => (v === w.name ? null : 'author');

/** Any plain value. */
export const anyValue: ValueCheck = () => null;

/** Combines checks: the first refusal wins. */
export function allOf(...checks: ValueCheck[]): ValueCheck {
	return (v, w, t) => {
		for (const check of checks) {
			const refusal = check(v, w, t);
			if (refusal) return refusal;
		}
		return null;
	};
}
