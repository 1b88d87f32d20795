/**
 * Awareness pacing, through a real relay with real y-websocket providers and a raw peer that
 * counts frames: the renewals of clients that renew together (y-websocket: every 15 s) reach each
 * peer as at most one awareness message per broadcast interval, everyone still sees everyone, and
 * a departure is announced within one interval and stays final.
 */
import * as decoding from 'lib0/decoding';
import { describe, expect, it } from 'vitest';
import { MESSAGE_AWARENESS } from './protocol.ts';
import {
	connectSynced,
	RawClient,
	relayPerTest,
	waitFor,
	type TestClient
} from './test-helpers.ts';

const DOC = 'c/demo/board/g01';
/** Long enough that a whole burst of renewals sent in one tick reaches the relay within it. */
const INTERVAL_MS = 300;
const PROVIDERS = 8;

const relays = relayPerTest();

async function provider(wsUrl: string, name: string): Promise<TestClient> {
	const c = await connectSynced(wsUrl, DOC);
	relays.destroyAfter(c);
	c.provider.awareness.setLocalStateField('user', { name });
	return c;
}

type Entry = { id: number; clock: number; state: unknown };

/** A raw peer that records each awareness frame it receives, decoded, with its arrival time. */
function awarenessPeer(url: string): {
	client: RawClient;
	frames: { at: number; entries: Entry[] }[];
} {
	const client = new RawClient(url);
	relays.defer(() => client.ws.terminate());
	const frames: { at: number; entries: Entry[] }[] = [];
	client.ws.on('message', (data: Buffer) => {
		const decoder = decoding.createDecoder(new Uint8Array(data));
		if (decoding.readVarUint(decoder) !== MESSAGE_AWARENESS) return;
		const update = decoding.createDecoder(decoding.readVarUint8Array(decoder));
		const entries: Entry[] = [];
		for (let i = decoding.readVarUint(update); i > 0; i--) {
			const id = decoding.readVarUint(update);
			const clock = decoding.readVarUint(update);
			entries.push({ id, clock, state: JSON.parse(decoding.readVarString(update)) as unknown });
		}
		// The relay's keepalive is an empty update: not presence.
		if (entries.length > 0) frames.push({ at: performance.now(), entries });
	});
	return { client, frames };
}

/** What y-protocols does at a renewal: the same state again, with the next clock. */
function renew(c: TestClient): void {
	c.provider.awareness.setLocalState(c.provider.awareness.getLocalState());
}

const clockOf = (c: TestClient): number =>
	c.provider.awareness.meta.get(c.doc.clientID)?.clock ?? -1;

/** Every provider holds every other's current state (their clocks as their owners have them). */
function everyoneSeesEveryone(clients: TestClient[]): boolean {
	return clients.every((viewer) =>
		clients.every(
			(other) =>
				viewer.provider.awareness.getStates().has(other.doc.clientID) &&
				viewer.provider.awareness.meta.get(other.doc.clientID)?.clock === clockOf(other)
		)
	);
}

/** Waits until no awareness frame arrived for two intervals: nothing is left to send. */
async function quiet(frames: { at: number }[]): Promise<void> {
	const since = () => performance.now() - (frames.at(-1)?.at ?? 0);
	await waitFor(() => since() > 2 * INTERVAL_MS, 10_000, 'awareness quiet');
}

describe('awareness pacing', () => {
	it('providers renewing together reach a peer as one message per interval; all see all', async () => {
		const s = await relays.start({ broadcastIntervalMs: INTERVAL_MS });
		const clients: TestClient[] = [];
		for (let i = 0; i < PROVIDERS; i++) clients.push(await provider(s.wsUrl, `志愿者${i}`));
		const peer = awarenessPeer(`${s.wsUrl}/${DOC}`);
		await peer.client.opened();
		await waitFor(() => everyoneSeesEveryone(clients), 10_000, 'everyone sees everyone');
		await quiet(peer.frames);

		for (let round = 0; round < 2; round++) {
			const from = peer.frames.length;
			for (const c of clients) renew(c);
			const renewed = new Map(clients.map((c) => [c.doc.clientID, clockOf(c)]));
			const seen = () => {
				const latest = new Map<number, number>();
				for (const frame of peer.frames.slice(from))
					for (const e of frame.entries) latest.set(e.id, Math.max(e.clock, latest.get(e.id) ?? 0));
				return [...renewed].every(([id, clock]) => latest.get(id) === clock);
			};
			await waitFor(seen, 10_000, 'the raw peer has every renewal');
			await waitFor(
				() => everyoneSeesEveryone(clients),
				10_000,
				'every provider has every renewal'
			);
			await quiet(peer.frames);
			// One message per client before: PROVIDERS frames. Now the first change of a quiet
			// room goes at the end of its turn and the rest of the burst one interval later.
			const frames = peer.frames.slice(from);
			expect(frames.length).toBeLessThanOrEqual(2);
			// The providers' echoes of the merged update change nothing and are not forwarded.
			expect(peer.client.closeCode).toBeNull();
		}
		for (const c of clients) expect(c.provider.wsconnected).toBe(true);
	});

	it('a departure during a renewal burst goes out within one interval and stays final', async () => {
		const s = await relays.start({
			broadcastIntervalMs: INTERVAL_MS,
			awarenessTombstoneMs: 60_000
		});
		const clients: TestClient[] = [];
		for (let i = 0; i < PROVIDERS; i++) clients.push(await provider(s.wsUrl, `居民${i}`));
		const peer = awarenessPeer(`${s.wsUrl}/${DOC}`);
		await peer.client.opened();
		await waitFor(() => everyoneSeesEveryone(clients), 10_000, 'everyone sees everyone');
		await quiet(peer.frames);

		const leaving = clients.pop()!;
		const leavingId = leaving.doc.clientID;
		// Its renewal and its departure fall in the same interval as the others' renewals.
		for (const c of [...clients, leaving]) renew(c);
		const left = performance.now();
		leaving.destroy();
		const removed = () =>
			peer.frames.find((f) => f.entries.some((e) => e.id === leavingId && e.state === null));
		await waitFor(() => removed() !== undefined, 10_000, 'removal announced');
		// The burst's first frame went at once; the removal waited for at most the next interval
		// (plus the socket's close handshake and this machine's scheduling).
		expect(removed()!.at - left).toBeLessThan(2 * INTERVAL_MS);
		await waitFor(
			() => clients.every((c) => !c.provider.awareness.getStates().has(leavingId)),
			10_000,
			'everyone saw the departure'
		);
		// The others renew and echo again: the departed state does not come back.
		for (let round = 0; round < 2; round++) {
			for (const c of clients) renew(c);
			await waitFor(() => everyoneSeesEveryone(clients), 10_000, 'renewals seen');
			await quiet(peer.frames);
		}
		for (const c of clients) expect(c.provider.awareness.getStates().has(leavingId)).toBe(false);
		expect(s.relay.docStats(DOC)!.awarenessStates).toBe(clients.length);
		const last = peer.frames.findLastIndex((f) => f.entries.some((e) => e.id === leavingId));
		expect(peer.frames[last]!.entries.find((e) => e.id === leavingId)!.state).toBeNull();
	});
});
