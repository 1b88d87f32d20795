/**
 * Who may open which document: the role × document-kind matrix of docs/access.md, in one pure
 * module shared by the relay (which enforces it at the WebSocket upgrade) and the app (which
 * hides what a role cannot do).
 *
 * Invariants:
 * - Deny by default: an unknown role, a document of another community, an unknown kind or a
 *   malformed name is 'none'.
 * - No imports, so Node's type stripping runs this file directly from the relay.
 */

export const ROLES = ['secretary', 'grid-member', 'volunteer', 'observer'] as const;
export type Role = (typeof ROLES)[number];

export type Access = 'write' | 'read' | 'none';

/** The claims of a relay token (compact JWS, HS256); see docs/access.md. */
export type Claims = {
	iss: 'gridboard';
	aud: 'gridboard-relay';
	/** Member id, or 'admin-cli' for a service token. */
	sub: string;
	/** Community id. */
	cid: string;
	role: Role;
	/** Grid ids this member is scoped to (grid members; may be empty for other roles). */
	grids: string[];
	/** Display name. */
	name: string;
	/** The member's access version; a role or grids change bumps it. */
	ver: number;
	iat: number;
	exp: number;
	/** Service token minted by the admin CLI or a test: no member row behind it. */
	svc?: true;
};

/** What the matrix needs from the claims. */
export type AccessClaims = { cid: string; role: Role | string; grids: readonly string[] };

export type DocKindForAccess = 'directory' | 'board' | 'households' | 'tasks' | 'meetings';

export type AccessTarget = { communityId: string; kind: DocKindForAccess; id: string | null };

const SEGMENT = /^[a-z0-9][a-z0-9_-]{0,39}$/;
const KINDS_WITH_ID: Record<DocKindForAccess, boolean> = {
	directory: false,
	board: true,
	households: true,
	tasks: false,
	meetings: true
};

export function isRole(value: unknown): value is Role {
	return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/**
 * Reads `c/{communityId}/{kind}[/{id}]` (the grammar of sync-server/doc-name.ts, which the relay
 * checks first); null for anything else.
 */
export function parseDocNameForAccess(docName: string): AccessTarget | null {
	if (docName.length > 120) return null;
	const parts = docName.split('/');
	if (parts.length < 3 || parts.length > 4 || parts[0] !== 'c') return null;
	const [, communityId = '', kind = '', id] = parts;
	if (!SEGMENT.test(communityId) || !Object.hasOwn(KINDS_WITH_ID, kind)) return null;
	const known = kind as DocKindForAccess;
	if (KINDS_WITH_ID[known]) {
		if (id === undefined || !SEGMENT.test(id)) return null;
		return { communityId, kind: known, id };
	}
	return id === undefined ? { communityId, kind: known, id: null } : null;
}

function cell(claims: AccessClaims, target: AccessTarget): Access {
	const own = target.id !== null && claims.grids.includes(target.id);
	switch (claims.role) {
		case 'secretary':
			return 'write';
		case 'grid-member':
			switch (target.kind) {
				case 'directory':
					return 'read';
				case 'board':
					return own ? 'write' : 'read';
				case 'households':
					return own ? 'write' : 'none';
				case 'tasks':
				case 'meetings':
					return 'write';
			}
			return 'none';
		case 'volunteer':
			switch (target.kind) {
				case 'board':
				case 'tasks':
					return 'write';
				case 'directory':
				case 'meetings':
					return 'read';
				case 'households':
					return 'none';
			}
			return 'none';
		case 'observer':
			return target.kind === 'households' ? 'none' : 'read';
		default:
			return 'none';
	}
}

/** One cell of the matrix in docs/access.md for these claims and this document name. */
export function accessFor(claims: AccessClaims, docName: string): Access {
	const target = parseDocNameForAccess(docName);
	if (!target || !Array.isArray(claims.grids) || target.communityId !== claims.cid) return 'none';
	return cell(claims, target);
}

/** Members, invites and grids of the community: secretaries only. */
export function canAdminister(role: Role | string): boolean {
	return role === 'secretary';
}

/**
 * The community's roster (members' names, roles and grids, `GET /api/communities/:cid/roster`):
 * staff who assign cases, so they pick people instead of typing names (docs/access.md).
 */
export function canReadRoster(role: Role | string): boolean {
	return isStaffRole(role);
}

/** Staff: secretaries and grid members, who hold boards and handle cases (我的案件). */
export function isStaffRole(role: Role | string): boolean {
	return role === 'secretary' || role === 'grid-member';
}

export function canWriteBoard(claims: AccessClaims, gridId: string): boolean {
	return accessFor(claims, `c/${claims.cid}/board/${gridId}`) === 'write';
}

export function canReadHouseholds(claims: AccessClaims, gridId: string): boolean {
	return accessFor(claims, `c/${claims.cid}/households/${gridId}`) !== 'none';
}
