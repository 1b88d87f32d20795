/**
 * The clients of `npm run bench:presence` (presence.ts): stock y-websocket clients of the
 * documents a group is given, each counting, per second of the hold, the awareness messages it
 * received and sent, its own renewals, and the delivery latency of the timestamped updates the
 * document's writer sends. A group runs in the measuring process (the writers and the probes) or
 * in a load process of its own: presence.ts forks this file, at a lower priority, for the bulk of
 * the clients, so that their decoding does not delay the probes' clock readings.
 *
 * Invariant: times are `performance.timeOrigin + performance.now()` (ms since the epoch, with
 * sub-millisecond resolution), comparable across the bench's processes; a latency is binned by
 * the second of the hold its update was sent in.
 */
import * as Y from 'yjs';
import { connectMany, createClient, type BenchClient } from './clients.ts';
import { sleep } from './proc.ts';
import { TARGETS, type ServerHandle } from './targets.ts';

export type LoadDoc = { name: string; clients: number };

export type SecondCounts = {
	latencies: number[];
	awarenessReceived: number;
	/** Awareness messages the clients sent: y-websocket sends one per change it sees. */
	awarenessSent: number;
	renewals: number;
};

export type GroupReport = {
	seconds: SecondCounts[];
	/** Updates some client of the group had not received after the wait. */
	notDelivered: number;
	/** Per document, each client's state (state vector and map contents), to compare. */
	states: Record<string, string[]>;
};

/** What a forked load process is told (`LoadCommand`) and answers (`LoadAnswer`). */
export type LoadCommand =
	| { type: 'connect'; wsUrl: string; token: string | null; docs: LoadDoc[] }
	| { type: 'measure'; t0: number }
	| { type: 'stop'; written: Record<string, number> }
	| { type: 'close' };
export type LoadAnswer = { type: 'connected' } | { type: 'report'; report: GroupReport };

export const now = (): number => performance.timeOrigin + performance.now();

export class ClientGroup {
	readonly docs: { name: string; clients: BenchClient[] }[] = [];
	#t0 = Infinity;
	#measuring = false;
	#seconds: SecondCounts[] = [];
	#writers: boolean;

	/** `writers`: the first client of each document writes and does not time deliveries. */
	constructor(writers: boolean) {
		this.#writers = writers;
	}

	#second(at: number): SecondCounts | undefined {
		if (!this.#measuring || at < this.#t0) return undefined;
		const i = Math.floor((at - this.#t0) / 1000);
		while (this.#seconds.length <= i)
			this.#seconds.push({ latencies: [], awarenessReceived: 0, awarenessSent: 0, renewals: 0 });
		return this.#seconds[i];
	}

	async connect(
		server: Pick<ServerHandle, 'spec' | 'wsUrl' | 'token'>,
		docs: LoadDoc[]
	): Promise<void> {
		const owner = docs.flatMap((doc, i) => Array<number>(doc.clients).fill(i));
		for (const doc of docs) this.docs.push({ name: doc.name, clients: [] });
		await connectMany((i) => {
			const doc = this.docs[owner[i]!]!;
			const writer = this.#writers && doc.clients.length === 0;
			const client = createClient(server as ServerHandle, doc.name, {
				onAwarenessMessage: () => {
					const s = this.#second(now());
					if (s) s.awarenessReceived++;
				}
			});
			doc.clients.push(client);
			const id = client.doc.clientID;
			client.awareness.on('update', ({ updated }: { updated: number[] }, origin: unknown) => {
				const s = this.#second(now());
				if (!s) return;
				s.awarenessSent++;
				if (origin === 'local' && updated.includes(id)) s.renewals++;
			});
			if (!writer)
				client.doc.getMap<number>('m').observe((event) => {
					const at = now();
					for (const key of event.keysChanged) {
						const sentAt = event.target.get(key)!;
						this.#second(sentAt)?.latencies.push(at - sentAt);
					}
				});
			return client;
		}, owner.length);
	}

	start(t0: number): void {
		this.#t0 = t0;
		this.#measuring = true;
	}

	/**
	 * Stops counting, waits (up to 10 s) for every client to hold the `written` updates of its
	 * document, and reports.
	 */
	async stop(written: Record<string, number>): Promise<GroupReport> {
		this.#measuring = false;
		const missing = () =>
			this.docs.reduce(
				(sum, doc) =>
					sum +
					doc.clients.reduce(
						(s, c) => s + Math.max(0, (written[doc.name] ?? 0) - c.doc.getMap('m').size),
						0
					),
				0
			);
		const end = performance.now() + 10_000;
		while (missing() > 0 && performance.now() < end) await sleep(50);
		const states: Record<string, string[]> = {};
		for (const doc of this.docs)
			states[doc.name] = doc.clients.map(
				(c) =>
					`${Buffer.from(Y.encodeStateVector(c.doc)).toString('base64')}:${JSON.stringify(c.doc.getMap('m').toJSON())}`
			);
		return { seconds: this.#seconds, notDelivered: missing(), states };
	}

	destroy(): void {
		for (const doc of this.docs)
			for (const client of doc.clients) {
				client.destroy();
				client.doc.destroy();
			}
	}
}

// Forked by presence.ts: one group of load clients, driven over IPC.
if (process.send && process.argv[2] === '--load-process') {
	process.setMaxListeners(0);
	const group = new ClientGroup(false);
	const answer = (message: LoadAnswer) => process.send!(message);
	process.on('message', (command: LoadCommand) => {
		void (async () => {
			switch (command.type) {
				case 'connect':
					await group.connect(
						{ spec: TARGETS.ours, wsUrl: command.wsUrl, token: command.token },
						command.docs
					);
					answer({ type: 'connected' });
					return;
				case 'measure':
					group.start(command.t0);
					return;
				case 'stop':
					answer({ type: 'report', report: await group.stop(command.written) });
					return;
				case 'close':
					group.destroy();
					process.exit(0);
			}
		})();
	});
}
