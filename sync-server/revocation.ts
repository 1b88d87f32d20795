/**
 * Live revocation and expiry of the relay's connections.
 *
 * Invariants:
 * - `closeMember` closes every live connection of one member at once (the HTTP API calls it
 *   when a secretary removes a member (4403 `member_removed`, the wire's removal signal) or
 *   changes their access (4401)).
 * - The sweep, every `sweepMs`, reloads the signing keys and re-reads the members of live
 *   connections (the admin CLI writes from another process): a removed member is closed with
 *   4403 `member_removed` (only a removed one: an unknown member gets a plain 4403), an
 *   outdated `ver` with 4401, an expired token with 4401. One store read per member and token
 *   version per sweep; a storage error ends that sweep, the next one tries again.
 * - Cluster mode (`refresh`): the members of live connections are re-read from PostgreSQL into
 *   the relay's mirror (cluster/cluster-identity.ts) before each pass, so a member removed on
 *   another relay is closed here within one period even if that relay's message was lost.
 */
import { CLOSE } from '../src/lib/wire/index.ts';
import type { Connection } from './connection.ts';
import { checkMember, type AuthResult, type MemberDirectory } from './identity.ts';
import type { KeyRing } from './tokens.ts';

/** Closes the live connections of one member; returns how many were closed. */
export function closeMember(
	connections: Iterable<Connection>,
	communityId: string,
	memberId: string,
	code: number,
	reason: string
): number {
	let closedCount = 0;
	for (const connection of connections) {
		const { claims } = connection;
		if (claims.svc !== true && claims.cid === communityId && claims.sub === memberId) {
			connection.close(code, reason);
			closedCount++;
		}
	}
	return closedCount;
}

export type RevocationSweepOptions = {
	connections: Iterable<Connection>;
	identity: MemberDirectory;
	keys: KeyRing;
	clockSkewSeconds: number;
	sweepMs: number;
	/** Cluster mode: re-reads these members (ids) into `identity` before a pass. */
	refresh?: (memberIds: string[]) => Promise<void>;
	log(event: Record<string, unknown>): void;
};

/** One pass over the live connections (the timer's body; tests may call it directly). */
export function sweepConnections(options: RevocationSweepOptions, nowMs = Date.now()): void {
	const { connections, identity, keys, clockSkewSeconds, log } = options;
	try {
		keys.reload();
	} catch (error) {
		log({ event: 'keys-error', error: String(error) });
	}
	const now = nowMs / 1000;
	const checked = new Map<string, AuthResult>();
	for (const connection of connections) {
		if (connection.closed) continue;
		const { claims } = connection;
		if (claims.exp + clockSkewSeconds <= now) {
			connection.close(CLOSE.unauthorized, 'token expired');
			continue;
		}
		const key = `${claims.cid}\n${claims.sub}\n${claims.ver}\n${claims.svc === true}`;
		let result = checked.get(key);
		if (!result) {
			try {
				result = checkMember(identity, claims);
			} catch (error) {
				log({ event: 'storage-error', op: 'sweep', error: String(error) });
				return;
			}
			checked.set(key, result);
		}
		if (!result.ok) connection.close(result.code, result.reason);
	}
}

/** Starts the sweep; returns its stop function. */
export function startRevocationSweep(options: RevocationSweepOptions): () => void {
	const { refresh } = options;
	let running = false;
	const refreshed = async (): Promise<void> => {
		running = true;
		try {
			const ids = new Set<string>();
			for (const { claims, closed } of options.connections) {
				if (!closed && claims.svc !== true) ids.add(claims.sub);
			}
			// A failed read keeps the mirror: the pass still closes what it knows of.
			await refresh!([...ids]).catch((error: unknown) =>
				options.log({ event: 'storage-error', op: 'sweep', error: String(error) })
			);
			sweepConnections(options);
		} finally {
			running = false;
		}
	};
	const pass = (): void => {
		if (!refresh) sweepConnections(options);
		else if (!running) void refreshed();
	};
	const timer = setInterval(pass, options.sweepMs);
	timer.unref();
	return () => clearInterval(timer);
}
