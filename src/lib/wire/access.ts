/**
 * Who may open which document: the role × document-kind matrix of docs/access.md, in one pure
 * module shared by the relay (which enforces it at the WebSocket upgrade) and the app (which
 * hides what a role cannot do).
 *
 * Invariants:
 * - Deny by default: an unknown role, a document of another community, an unknown kind or a
 *   malformed name is 'none'.
 * - No imports but the wire contract's own files (src/lib/wire/index.ts).
 */
import { boardDocName, householdsDocName, parseDocName, type DocKind } from './doc-names.ts';

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

export type DocKindForAccess = DocKind;

export type AccessTarget = { communityId: string; kind: DocKindForAccess; id: string | null };

export function isRole(value: unknown): value is Role {
	return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Reads `c/{communityId}/{kind}[/{id}]` (doc-names.ts); null for anything else. */
export function parseDocNameForAccess(docName: string): AccessTarget | null {
	const parsed = parseDocName(docName);
	return parsed.ok ? parsed.value : null;
}

function cell(claims: AccessClaims, target: AccessTarget): Access {
	const own = target.id !== null && claims.grids.includes(target.id);
	switch (claims.role) {
		case 'secretary':
			return 'write';
		case 'grid-member':
			switch (target.kind) {
				case 'directory':
				case 'map':
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
				case 'map':
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
	return accessFor(claims, boardDocName(claims.cid, gridId)) === 'write';
}

export function canReadHouseholds(claims: AccessClaims, gridId: string): boolean {
	return accessFor(claims, householdsDocName(claims.cid, gridId)) !== 'none';
}
