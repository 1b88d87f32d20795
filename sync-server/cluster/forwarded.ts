/**
 * The fast path's side of one room on a cluster relay (cluster-rooms.ts): another relay's
 * update, not yet durable, is sent to the room's local peers without being applied
 * (`forward`), and a local peer's update whose check fails shortly after such a forward is
 * checked again once the stream entries read next are applied (`checkAgainLater`, the room's
 * hook; the embedded relay's rooms have none).
 *
 * Invariants:
 * - A forwarded update is never applied to the room's document, so no confirmation of this
 *   relay covers it before its stream entry arrives (`Room.applyRemote`).
 * - A peer's update held for another check is checked again after the next stream read's
 *   remote applies (`remoteApplied`, run once the task is over: an update and the attestation
 *   appended with it in one MULTI are both applied first), or once FORWARD_WAIT_MS passed since
 *   the latest forward; the held updates never exceed `maxPendingBytes` (beyond: not held, the
 *   caller acts on the verdict at once).
 * - An update the rules accept whose unattested client ids include one that wrote a forwarded
 *   update within FORWARD_WAIT_MS waits too (on its first check as on a check again, until the
 *   window ends): that id is the other relay's writer's, its attestation not read yet, and is
 *   not attested to this peer's member (who may hold its structs: they were forwarded) while
 *   the window lasts. After it (a stream entry held back more than FORWARD_WAIT_MS), the update
 *   is acted on as before: ARCHITECTURE.md "Scale-out", known gaps.
 * - A remote apply's update (its stream entry) is not sent again to a peer that holds all of it
 *   already (`alreadySent`): every struct and deletion in it was in forwards that peer received
 *   (by ids: client and clock ranges, deleted ranges) within SENT_WINDOW_MS. A peer attached
 *   after one of those forwards did not receive it (a room's sync step 2 never holds a forward)
 *   and gets the update as before; so does everyone when it holds anything else.
 */
import * as Y from 'yjs';
import { encodeSyncUpdate } from '../protocol.ts';
import type { CheckAgainLater, Peer, Room } from '../room.ts';

/**
 * How long after forwarding another relay's early update a peer's update that fails its check
 * may wait for that update's stream entry before it is refused or asked again.
 */
const FORWARD_WAIT_MS = 3000;
/** How long, and how many, forwards are remembered to spare peers their stream entries again. */
const SENT_WINDOW_MS = 10_000;
const MAX_SENT = 256;

/** Client id → [start, end) clock ranges. */
type Ranges = Map<number, [number, number][]>;
type Content = { structs: Ranges; deletes: Ranges };
/** A forward: what it held and the peers it was sent to. */
type Sent = Content & { at: number; peers: ReadonlySet<Peer> };

function add(ranges: Ranges, client: number, start: number, end: number): void {
	const list = ranges.get(client);
	if (list) list.push([start, end]);
	else ranges.set(client, [[start, end]]);
}

/** The ids an update writes and deletes (Skip structs are none); throws if unreadable. */
function contentOf(update: Uint8Array): Content {
	const decoded = Y.decodeUpdate(update);
	const structs: Ranges = new Map();
	for (const struct of decoded.structs) {
		if (struct instanceof Y.Skip) continue;
		add(structs, struct.id.client, struct.id.clock, struct.id.clock + struct.length);
	}
	const deletes: Ranges = new Map();
	for (const [client, items] of decoded.ds.clients) {
		for (const item of items) add(deletes, client, item.clock, item.clock + item.len);
	}
	return { structs, deletes };
}

/** Removes from `ranges` every part `cover` holds. */
function subtract(ranges: Ranges, cover: Ranges): void {
	for (const [client, covering] of cover) {
		let list = ranges.get(client);
		if (!list) continue;
		for (const [from, to] of covering) {
			list = list.flatMap(([start, end]): [number, number][] => {
				if (to <= start || from >= end) return [[start, end]];
				const left: [number, number][] = start < from ? [[start, from]] : [];
				return end > to ? [...left, [to, end]] : left;
			});
		}
		if (list.length === 0) ranges.delete(client);
		else ranges.set(client, list);
	}
}

export class ForwardedUpdates {
	#maxPendingBytes: number;
	/** When `forward` last sent an update to the peers (ms; 0: never). */
	#forwardedAt = 0;
	/** Client ids with structs in updates forwarded lately → when (oldest first). */
	#forwardedClients = new Map<number, number>();
	/** Retries of peers' updates waiting for a forwarded update's stream entry. */
	#waiting: (() => void)[] = [];
	#waitingBytes = 0;
	#waitTimer: NodeJS.Timeout | null = null;
	#retryScheduled = false;
	/** Recent forwards, oldest first (`alreadySent`). */
	#sent: Sent[] = [];
	#disposed = false;

	constructor(maxPendingBytes: number) {
		this.#maxPendingBytes = maxPendingBytes;
	}

	/** Sends another relay's early update to `room`'s local peers only; unreadable: dropped. */
	forward(room: Room, update: Uint8Array): void {
		if (this.#disposed || room.failed || room.peers.size === 0) return;
		const now = (this.#forwardedAt = Date.now());
		for (const [client, at] of this.#forwardedClients) {
			if (at + FORWARD_WAIT_MS > now) break;
			this.#forwardedClients.delete(client);
		}
		let content: Content;
		try {
			content = contentOf(update);
		} catch {
			return;
		}
		for (const client of content.structs.keys()) {
			this.#forwardedClients.delete(client);
			this.#forwardedClients.set(client, now);
		}
		this.#forgetSent(now);
		if (this.#sent.length === MAX_SENT) this.#sent.shift();
		this.#sent.push({ ...content, at: now, peers: new Set(room.peers) });
		const message = encodeSyncUpdate(update);
		for (const peer of room.peers) peer.send(message);
	}

	#forgetSent(now: number): void {
		const first = this.#sent.findIndex((sent) => sent.at + SENT_WINDOW_MS > now);
		this.#sent.splice(0, first < 0 ? this.#sent.length : first);
	}

	/**
	 * The room's hook (`RoomHooks.alreadySent`): the peers that received every struct and
	 * deletion of `update` (a remote apply's) in recent forwards, or null. The newest forwards
	 * are taken until they hold all of it; the peers of the oldest one taken received every one
	 * after it too (a peer attached then is attached since), and peers attached later are not
	 * in it.
	 */
	alreadySent(update: Uint8Array): ReadonlySet<Peer> | null {
		this.#forgetSent(Date.now());
		if (this.#sent.length === 0) return null;
		let left: Content;
		try {
			left = contentOf(update);
		} catch {
			return null;
		}
		if (left.structs.size === 0 && left.deletes.size === 0) return null;
		for (let k = this.#sent.length - 1; k >= 0; k--) {
			const sent = this.#sent[k]!;
			subtract(left.structs, sent.structs);
			subtract(left.deletes, sent.deletes);
			if (left.structs.size === 0 && left.deletes.size === 0) return sent.peers;
		}
		return null;
	}

	/**
	 * The room's hook (`RoomHooks.checkAgainLater`). A peer's update that fails its check may
	 * build on (`missing_dependency`) or hold (a resend after a reconnect, with the other relay's
	 * attestations) an update forwarded early: rather than refuse it or ask the peer to resend at
	 * once (its answer would hold the same), it is held and `retry` runs later (see the
	 * invariants); so is an accepted update with an unattested client id that wrote a forwarded
	 * update. False (nothing is kept) when nothing was forwarded that recently or the held
	 * updates would pass `maxPendingBytes`.
	 */
	checkAgainLater: CheckAgainLater = (verdict, bytes, retry) => {
		const foreign =
			verdict.ok && [...verdict.unattested.keys()].some((client) => this.#forwardedFrom(client));
		if (verdict.ok && !foreign) return false;
		const due = this.#forwardedAt + FORWARD_WAIT_MS;
		if (this.#disposed || Date.now() >= due) return false;
		if (this.#waitingBytes + bytes > this.#maxPendingBytes) return false;
		this.#waitingBytes += bytes;
		this.#waiting.push(() => {
			this.#waitingBytes -= bytes;
			retry();
		});
		if (!this.#waitTimer) {
			this.#waitTimer = setTimeout(this.#runWaiting, due - Date.now() + 1);
			this.#waitTimer.unref();
		}
		return true;
	};

	/** Whether `client` wrote some update forwarded in the last FORWARD_WAIT_MS. */
	#forwardedFrom(client: number): boolean {
		const at = this.#forwardedClients.get(client);
		return at !== undefined && at + FORWARD_WAIT_MS > Date.now();
	}

	/**
	 * Stream entries were applied to the room (`Room.applyRemote`): the held updates are checked
	 * again once the current task is over, after the whole stream read.
	 */
	remoteApplied(): void {
		if (this.#waiting.length === 0 || this.#retryScheduled) return;
		this.#retryScheduled = true;
		setImmediate(() => {
			this.#retryScheduled = false;
			this.#runWaiting();
		});
	}

	#runWaiting = (): void => {
		if (this.#waitTimer) clearTimeout(this.#waitTimer);
		this.#waitTimer = null;
		const waiting = this.#waiting;
		this.#waiting = [];
		for (const retry of waiting) retry();
	};

	/** The room is unloaded or dropped: nothing is held or forwarded any more. */
	dispose(): void {
		this.#disposed = true;
		if (this.#waitTimer) clearTimeout(this.#waitTimer);
		this.#waitTimer = null;
		this.#waiting = [];
		this.#sent = [];
	}
}
