/**
 * Document names: the one grammar every document name must match, for the app (which builds
 * names) and the relay (which checks every name at the upgrade, before any storage call).
 *
 *   c/{communityId}/{kind}        kinds without an id: directory, tasks, map
 *   c/{communityId}/{kind}/{id}   kinds with an id: board, households (grid id), meetings
 *
 * Invariant: the check runs on the raw, undecoded string. Only bytes from the allow-list
 * `[a-z0-9_/-]` pass, so percent-encoding, `..`, NUL, uppercase and anything else is refused
 * before any storage call is made with the name. Every id is one segment, so any id can be put
 * into a name as it is; the builders below are the only place names are written.
 */

export const MAX_DOC_NAME_LENGTH = 120;

/** The longest id: one document-name segment. */
export const ID_MAX_LENGTH = 40;
/** One document-name segment, which every id is: lowercase, digits, `_` and `-`. */
export const ID_SEGMENT = /^[a-z0-9][a-z0-9_-]{0,39}$/;
const ALLOWED_BYTES = /^[a-z0-9_/-]+$/;

export function isValidIdSegment(value: unknown): value is string {
	return typeof value === 'string' && ID_SEGMENT.test(value);
}

export const DOC_KINDS = ['directory', 'board', 'households', 'tasks', 'meetings', 'map'] as const;
export type DocKind = (typeof DOC_KINDS)[number];

const KIND_HAS_ID: Record<DocKind, boolean> = {
	directory: false,
	board: true,
	households: true,
	tasks: false,
	meetings: true,
	map: false
};

export type DocName = { communityId: string; kind: DocKind; id: string | null };

export type DocNameError =
	| 'empty'
	| 'too-long'
	| 'bad-characters'
	| 'bad-shape'
	| 'bad-community'
	| 'unknown-kind'
	| 'missing-id'
	| 'unexpected-id'
	| 'bad-id';

export type ParseResult = { ok: true; value: DocName } | { ok: false; reason: DocNameError };

function isDocKind(kind: string): kind is DocKind {
	return (DOC_KINDS as readonly string[]).includes(kind);
}

export function parseDocName(name: string): ParseResult {
	if (name.length === 0) return { ok: false, reason: 'empty' };
	if (name.length > MAX_DOC_NAME_LENGTH) return { ok: false, reason: 'too-long' };
	if (!ALLOWED_BYTES.test(name)) return { ok: false, reason: 'bad-characters' };
	const parts = name.split('/');
	if (parts.length < 3 || parts.length > 4 || parts[0] !== 'c') {
		return { ok: false, reason: 'bad-shape' };
	}
	const [, communityId = '', kind = '', id] = parts;
	if (!ID_SEGMENT.test(communityId)) return { ok: false, reason: 'bad-community' };
	if (!isDocKind(kind)) return { ok: false, reason: 'unknown-kind' };
	if (KIND_HAS_ID[kind]) {
		if (id === undefined) return { ok: false, reason: 'missing-id' };
		if (!ID_SEGMENT.test(id)) return { ok: false, reason: 'bad-id' };
		return { ok: true, value: { communityId, kind, id } };
	}
	if (id !== undefined) return { ok: false, reason: 'unexpected-id' };
	return { ok: true, value: { communityId, kind, id: null } };
}

/** The canonical string for a parsed name; equal to the input of a successful parse. */
export function formatDocName(name: DocName): string {
	return name.id === null
		? `c/${name.communityId}/${name.kind}`
		: `c/${name.communityId}/${name.kind}/${name.id}`;
}

/** The community's grid list and settings: `c/{communityId}/directory`. */
export function directoryDocName(communityId: string): string {
	return `c/${communityId}/directory`;
}

/** One grid's problem ledger: `c/{communityId}/board/{gridId}`. */
export function boardDocName(communityId: string, gridId: string): string {
	return `c/${communityId}/board/${gridId}`;
}

/** One grid's household records: `c/{communityId}/households/{gridId}`. */
export function householdsDocName(communityId: string, gridId: string): string {
	return `c/${communityId}/households/${gridId}`;
}

/** The community's volunteer work: `c/{communityId}/tasks`. */
export function tasksDocName(communityId: string): string {
	return `c/${communityId}/tasks`;
}

/** The community's meeting index: `c/{communityId}/meetings/index`. */
export function meetingIndexDocName(communityId: string): string {
	return `c/${communityId}/meetings/index`;
}

/** One meeting's record: `c/{communityId}/meetings/{meetingId}`. */
export function meetingDocName(communityId: string, meetingId: string): string {
	return `c/${communityId}/meetings/${meetingId}`;
}

/** The community's map: grid areas and buildings, `c/{communityId}/map`. */
export function mapDocName(communityId: string): string {
	return `c/${communityId}/map`;
}
