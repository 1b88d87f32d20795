/**
 * Document names: the one grammar every relay document name must match.
 *
 *   c/{communityId}/{kind}        kinds without an id: directory, tasks
 *   c/{communityId}/{kind}/{id}   kinds with an id: board, households (grid id), meetings
 *
 * Invariant: the check runs on the raw, undecoded string. Only bytes from the allow-list
 * `[a-z0-9_/-]` pass, so percent-encoding, `..`, NUL, uppercase and anything else is refused
 * before any storage call is made with the name.
 */

export const MAX_DOC_NAME_LENGTH = 120;

const SEGMENT = /^[a-z0-9][a-z0-9_-]{0,39}$/;
const ALLOWED_BYTES = /^[a-z0-9_/-]+$/;

export const DOC_KINDS = ['directory', 'board', 'households', 'tasks', 'meetings'] as const;
export type DocKind = (typeof DOC_KINDS)[number];

const KIND_HAS_ID: Record<DocKind, boolean> = {
	directory: false,
	board: true,
	households: true,
	tasks: false,
	meetings: true
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
	if (!SEGMENT.test(communityId)) return { ok: false, reason: 'bad-community' };
	if (!isDocKind(kind)) return { ok: false, reason: 'unknown-kind' };
	if (KIND_HAS_ID[kind]) {
		if (id === undefined) return { ok: false, reason: 'missing-id' };
		if (!SEGMENT.test(id)) return { ok: false, reason: 'bad-id' };
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
