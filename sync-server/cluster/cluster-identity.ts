/**
 * Identity in cluster mode (issue 22): communities, members, credentials and invites live in
 * PostgreSQL (identity-postgres.ts), shared by every relay; each relay keeps a mirror of the
 * members, which the synchronous token checks read (admission, the revocation sweep, photos,
 * history, basemaps, notices: `MemberDirectory`, identity.ts), and writes through `store`.
 *
 *   relay A: API write ─▶ PostgreSQL ─▶ A's mirror ─▶ PUBLISH {prefix}:identity {member}
 *   relay B: message ─▶ re-read that member ─▶ B's mirror ─▶ `onChange` (closes its sockets)
 *
 * Invariants:
 * - A write through `store` resolves only once this relay's mirror holds its result, so the
 *   answer to an API call is never contradicted by the relay that gave it.
 * - The mirror never goes back: a member read is kept only if its `ver` is at least the held
 *   one (every change bumps it, PostgreSQL serialises them), so a slow read cannot undo a newer.
 * - A removed or changed member is closed on every relay within the revocation sweep's period
 *   even without the message: the sweep re-reads the members of live sockets first
 *   (`refreshMembers`). A token newer than the mirror, or of a member it lacks, is checked after
 *   a re-read of that member (`reread`, identity.ts `authenticateLagging`). A lost message is
 *   made good for everything else by the full re-read every `refreshMs`.
 */
import type { Redis } from 'ioredis';
import type { AsyncIdentityStore } from '../identity-async.ts';
import type { PostgresIdentityStore } from '../identity-postgres.ts';
import type { MemberRecord } from '../identity-store.ts';
import type { MemberDirectory } from '../identity.ts';
import { connect, ready } from './doc-streams.ts';

/** The prefix of the cluster's Redis keys and channels (doc-streams.ts, shared-keys.ts). */
const DEFAULT_PREFIX = 'gridboard';

export const identityChannel = (prefix = DEFAULT_PREFIX): string => `${prefix}:identity`;
export const keysChannel = (prefix = DEFAULT_PREFIX): string => `${prefix}:keys`;

/** A member whose row changed (joined, changed role or grids, removed). */
export type MemberChange = { communityId: string; memberId: string };

/** `store` whose every member change is handed to `changed` (awaited) before the call resolves. */
export function announcingIdentity(
	store: AsyncIdentityStore,
	changed: (change: MemberChange) => Promise<void>
): AsyncIdentityStore {
	return {
		...bound(store),
		updateMember: async (communityId, memberId, patch) => {
			const updated = await store.updateMember(communityId, memberId, patch);
			if (updated) await changed({ communityId, memberId });
			return updated;
		},
		removeMember: async (communityId, memberId, now) => {
			const removed = await store.removeMember(communityId, memberId, now);
			if (removed) await changed({ communityId, memberId });
			return removed;
		},
		redeemInvite: async (codeHash, now, member) => {
			const result = await store.redeemInvite(codeHash, now, member);
			if (result.ok) await changed({ communityId: result.community.id, memberId: member.memberId });
			return result;
		}
	};
}

/** The store's methods bound to it (a class instance's methods live on its prototype). */
function bound(store: AsyncIdentityStore): AsyncIdentityStore {
	return {
		createCommunity: (community) => store.createCommunity(community),
		getCommunity: (id) => store.getCommunity(id),
		listCommunities: () => store.listCommunities(),
		getMember: (communityId, memberId) => store.getMember(communityId, memberId),
		listMembers: (communityId) => store.listMembers(communityId),
		updateMember: (communityId, memberId, patch) =>
			store.updateMember(communityId, memberId, patch),
		removeMember: (communityId, memberId, now) => store.removeMember(communityId, memberId, now),
		getCredential: (communityId, memberId, deviceId) =>
			store.getCredential(communityId, memberId, deviceId),
		createInvite: (invite) => store.createInvite(invite),
		listInvites: (communityId) => store.listInvites(communityId),
		revokeInvite: (communityId, inviteId, now) => store.revokeInvite(communityId, inviteId, now),
		redeemInvite: (codeHash, now, member) => store.redeemInvite(codeHash, now, member),
		close: () => store.close()
	};
}

/** Tells every relay of the cluster that a member changed. */
export async function publishMemberChange(
	redis: Redis,
	change: MemberChange,
	options: { prefix?: string; relayId?: string } = {}
): Promise<void> {
	const message = { relay: options.relayId ?? null, ...change };
	await redis.publish(identityChannel(options.prefix), JSON.stringify(message));
}

/** The members of every community, as last read from PostgreSQL. */
class MemberMirror implements MemberDirectory {
	#members = new Map<string, MemberRecord>();

	/** Keeps `member` unless a newer version of it is held; true if it changed anything. */
	put(member: MemberRecord): boolean {
		const held = this.#members.get(member.id);
		if (held && held.ver >= member.ver) return false;
		this.#members.set(member.id, structuredClone(member));
		return true;
	}

	getMember(communityId: string, memberId: string): MemberRecord | null {
		const found = this.#members.get(memberId);
		return found && found.communityId === communityId ? structuredClone(found) : null;
	}

	listMembers(communityId: string): MemberRecord[] {
		return [...this.#members.values()]
			.filter((m) => m.communityId === communityId)
			.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id))
			.map((m) => structuredClone(m));
	}

	get size(): number {
		return this.#members.size;
	}
}

export type ClusterIdentityOptions = {
	identity: PostgresIdentityStore;
	redisUrl: string;
	/** This relay's id in the messages it publishes (its own are not re-read). */
	relayId: string;
	prefix?: string;
	/** Full re-read of the members, a backstop for lost messages (ms; default 30 s). */
	refreshMs?: number;
	/** A member's row changed in this relay's mirror: re-check its sockets. */
	onChange: (change: MemberChange) => void;
	log: (event: Record<string, unknown>) => void;
};

export class ClusterIdentity {
	/** The mirror the synchronous token checks read. */
	readonly directory: MemberDirectory;
	/** PostgreSQL, announcing every member change (mirror first, then the channel). */
	readonly store: AsyncIdentityStore;
	#mirror: MemberMirror;
	#options: ClusterIdentityOptions;
	#publisher: Redis;
	#subscriber: Redis;
	#timer: NodeJS.Timeout;

	private constructor(
		options: ClusterIdentityOptions,
		mirror: MemberMirror,
		publisher: Redis,
		subscriber: Redis
	) {
		this.#options = options;
		this.#mirror = mirror;
		this.directory = mirror;
		this.#publisher = publisher;
		this.#subscriber = subscriber;
		this.store = announcingIdentity(options.identity, async (change) => {
			await this.reread(change.communityId, change.memberId);
			try {
				await publishMemberChange(publisher, change, options);
			} catch (error) {
				// Other relays catch up by the sweep (live sockets) and the full re-read.
				options.log({ event: 'cluster-error', op: 'publish-identity', error: String(error) });
			}
		});
		subscriber.on('message', (_channel: string, text: string) => this.#onMessage(text));
		this.#timer = setInterval(() => void this.refreshAll(), options.refreshMs ?? 30_000);
		this.#timer.unref();
	}

	/** Reads every member into a new mirror, then follows the changes. */
	static async start(options: ClusterIdentityOptions): Promise<ClusterIdentity> {
		const mirror = new MemberMirror();
		for (const member of await options.identity.allMembers()) mirror.put(member);
		const publisher = connect(options.redisUrl);
		const subscriber = connect(options.redisUrl);
		try {
			await Promise.all([ready(publisher), ready(subscriber)]);
			// ioredis subscribes again by itself after a reconnect.
			await subscriber.subscribe(identityChannel(options.prefix));
		} catch (error) {
			publisher.disconnect();
			subscriber.disconnect();
			throw error;
		}
		return new ClusterIdentity(options, mirror, publisher, subscriber);
	}

	#onMessage(text: string): void {
		let message: Partial<MemberChange> & { relay?: unknown };
		try {
			message = JSON.parse(text) as typeof message;
		} catch {
			return;
		}
		const { communityId, memberId, relay } = message;
		if (typeof communityId !== 'string' || typeof memberId !== 'string') return;
		if (relay === this.#options.relayId) return;
		this.reread(communityId, memberId).catch((error: unknown) =>
			this.#options.log({ event: 'storage-error', op: 'identity-message', error: String(error) })
		);
	}

	#take(members: MemberRecord[]): void {
		for (const member of members) {
			if (this.#mirror.put(member)) {
				this.#options.onChange({ communityId: member.communityId, memberId: member.id });
			}
		}
	}

	/** Re-reads one member from PostgreSQL into the mirror. */
	async reread(communityId: string, memberId: string): Promise<void> {
		const member = await this.#options.identity.getMember(communityId, memberId);
		if (member) this.#take([member]);
	}

	/** Re-reads the members of `ids` (the revocation sweep's live sockets) in one query. */
	async refreshMembers(ids: readonly string[]): Promise<void> {
		this.#take(await this.#options.identity.membersById(ids));
	}

	/** Re-reads every member; a failure keeps the mirror as it is. */
	async refreshAll(): Promise<void> {
		try {
			this.#take(await this.#options.identity.allMembers());
		} catch (error) {
			this.#options.log({ event: 'storage-error', op: 'identity-refresh', error: String(error) });
		}
	}

	/** Members held (tests and operators). */
	get size(): number {
		return this.#mirror.size;
	}

	close(): void {
		clearInterval(this.#timer);
		this.#publisher.disconnect();
		this.#subscriber.disconnect();
	}
}
