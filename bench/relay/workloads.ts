/**
 * The workloads. Every one ends with a convergence check; a run that did not converge is
 * returned with `converged: false` and reported as failed, never as a number.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as Y from 'yjs';
import { connectMany, createClient, type BenchClient } from './clients.ts';
import { median, percentile, ProcWindow, round, sleep } from './proc.ts';
import type { ServerHandle } from './targets.ts';

const svKey = (doc: Y.Doc): string => Buffer.from(Y.encodeStateVector(doc)).toString('base64');

/** True when every doc has the same state vector and the same content. */
export function sameState(docs: Y.Doc[]): boolean {
	if (docs.length < 2) return true;
	const sv = svKey(docs[0]!);
	if (!docs.every((doc) => svKey(doc) === sv)) return false;
	// Root types exist on a doc only once accessed: compare every root any doc knows.
	const roots = new Map<string, new () => Y.AbstractType<unknown>>();
	for (const doc of docs) {
		for (const [name, type] of doc.share) {
			if (type.constructor !== Y.AbstractType)
				roots.set(name, type.constructor as new () => Y.AbstractType<unknown>);
		}
	}
	const content = (doc: Y.Doc) =>
		JSON.stringify([...roots].map(([name, ctor]) => doc.get(name, ctor).toJSON()));
	const first = content(docs[0]!);
	return docs.every((doc) => content(doc) === first);
}

async function waitFor(check: () => boolean, timeoutMs: number, everyMs = 25): Promise<boolean> {
	const end = performance.now() + timeoutMs;
	while (!check()) {
		if (performance.now() > end) return false;
		await sleep(everyMs);
	}
	return true;
}

// ---------------------------------------------------------------------------------------------
// W1 / W2: fan-out with one writer per room.

export type WindowResult = {
	ratePerWriter: number;
	offeredUpdatesPerSec: number;
	deliveriesPerSec: number;
	p50Ms: number;
	p99Ms: number;
	maxMs: number;
	notDelivered: number;
	serverCpuPct: number;
	loadCpuPct: number;
	serverRssMb: number;
	/** Server CPU per delivery, µs. */
	cpuUsPerDelivery: number;
	/** With a `Placement` that groups observers: the latencies of each group. */
	byGroup?: Record<string, { deliveries: number; p50Ms: number; p99Ms: number; maxMs: number }>;
};

/**
 * Where the clients of a session connect (bench/cluster: clients spread over several relays),
 * instead of all on the session's server: `url` of the writer (observer null) or of observer
 * `observer` (0-based within its room) of `room`; `group` names the observer's latency group.
 * `measure` is called when a window's recorded part starts and ends (the cluster's CPU).
 */
export type Placement = {
	url(room: number, observer: number | null): string;
	group?(room: number, observer: number): string;
	measure?: { start(): void; end(): void };
};

export type FanoutShape = { rooms: number; subscribers: number };

/**
 * What the writers write, and as whom. `map` (every peer): `m[seq] = 32 bytes`. `comments`:
 * board-shaped content the board's write rules accept, a comment appended to one case's
 * timeline per update (`cases/case-1/timeline`: { id, kind: 'comment', at, by, deviceId, text }),
 * written with `token` when given: a member's token makes our relay check and attest every
 * update; without it the writers use the server's service token (not checked).
 */
export type Writing = { content: 'map' } | { content: 'comments'; token?: string; name: string };

const CASE_ID = 'case-1';
const ENTRY_PREFIX = 'e';

/** The timeline the writers of `comments` append to (created by the writer on open). */
const timelineOf = (doc: Y.Doc): Y.Array<unknown> | undefined =>
	(doc.getMap('cases').get(CASE_ID) as Y.Map<unknown> | undefined)?.get('timeline') as
		Y.Array<unknown> | undefined;

/** Connected writers and observers that can run measurement windows at any rate. */
export class FanoutSession {
	readonly shape: FanoutShape;
	#server: ServerHandle;
	#writers: BenchClient[] = [];
	#observers: BenchClient[][] = [];
	#sentAt: Float64Array[] = [];
	#seq: number[] = [];
	#lat: number[] = [];
	#byGroup = new Map<string, number[]>();
	#measure: Placement['measure'];
	#delivered = 0;
	#windowFrom = 0;
	#windowTo = 0;

	private constructor(server: ServerHandle, shape: FanoutShape) {
		this.#server = server;
		this.shape = shape;
	}

	#write: (room: number, seq: number) => void = () => {};

	static async open(
		server: ServerHandle,
		shape: FanoutShape,
		tag: string,
		writing: Writing = { content: 'map' },
		placement?: Placement
	): Promise<FanoutSession> {
		const session = new FanoutSession(server, shape);
		session.#measure = placement?.measure;
		const { rooms, subscribers } = shape;
		for (let room = 0; room < rooms; room++) {
			session.#sentAt.push(new Float64Array(1 << 16));
			session.#seq.push(0);
		}
		const docName = (room: number) => `c/bench/board/${tag}-${room}`;
		const writerToken = writing.content === 'comments' ? writing.token : undefined;
		session.#writers = await connectMany(
			(room) =>
				createClient(server, docName(room), {
					token: writerToken,
					url: placement?.url(room, null)
				}),
			rooms
		);
		const value = 'v'.repeat(32);
		if (writing.content === 'comments') {
			// The case exists before the observers connect: every later update is one comment.
			for (const writer of session.#writers) {
				const entries = new Y.Map<unknown>();
				entries.set('timeline', new Y.Array());
				writer.doc.getMap('cases').set(CASE_ID, entries);
			}
			const { name } = writing;
			session.#write = (room, seq) =>
				timelineOf(session.#writers[room]!.doc)!.push([
					{
						id: `${ENTRY_PREFIX}${seq}`,
						kind: 'comment',
						at: Date.now(),
						by: name,
						deviceId: 'bench',
						text: value
					}
				]);
		} else {
			session.#write = (room, seq) =>
				session.#writers[room]!.doc.getMap('m').set(String(seq), value);
		}
		const observers = await connectMany((i) => {
			const room = Math.floor(i / subscribers);
			const observer = i % subscribers;
			const client = createClient(server, docName(room), {
				url: placement?.url(room, observer)
			});
			const sentAt = session.#sentAt[room];
			const group = placement?.group?.(room, observer);
			const arrived = (seq: number, now: number): void => {
				const t = sentAt![seq & 0xffff] ?? NaN;
				if (seq >= session.#windowFrom && seq < session.#windowTo) {
					session.#lat.push(now - t);
					if (group !== undefined) session.#byGroup.get(group)?.push(now - t);
					session.#delivered++;
				}
			};
			if (group !== undefined && !session.#byGroup.has(group)) session.#byGroup.set(group, []);
			if (writing.content === 'comments') {
				client.doc.getMap('cases').observeDeep((events) => {
					const now = performance.now();
					for (const event of events) {
						if (!(event instanceof Y.YArrayEvent)) continue;
						for (const item of event.changes.added) {
							for (const entry of item.content.getContent() as { id?: unknown }[]) {
								if (typeof entry?.id === 'string' && entry.id.startsWith(ENTRY_PREFIX))
									arrived(Number(entry.id.slice(ENTRY_PREFIX.length)), now);
							}
						}
					}
				});
			} else {
				client.doc.getMap('m').observe((event) => {
					const now = performance.now();
					for (const key of event.keysChanged) arrived(Number(key), now);
				});
			}
			return client;
		}, rooms * subscribers);
		for (let room = 0; room < rooms; room++) {
			session.#observers.push(observers.slice(room * subscribers, (room + 1) * subscribers));
		}
		return session;
	}

	/**
	 * Writes at `ratePerWriter` updates/s per room for warmMs (not recorded) then measureMs
	 * (recorded), then waits up to drainMs for the recorded deliveries.
	 */
	async window(
		ratePerWriter: number,
		warmMs: number,
		measureMs: number,
		drainMs = 5000
	): Promise<WindowResult> {
		const { rooms, subscribers } = this.shape;
		this.#lat = [];
		for (const group of this.#byGroup.keys()) this.#byGroup.set(group, []);
		this.#delivered = 0;
		// Seq numbers are global across rooms' counters: record by per-room seq range.
		const startSeq = Math.max(...this.#seq);
		for (let room = 0; room < rooms; room++) this.#seq[room] = startSeq;
		this.#windowFrom = Number.MAX_SAFE_INTEGER;
		this.#windowTo = Number.MAX_SAFE_INTEGER;
		const t0 = performance.now();
		const written = new Array<number>(rooms).fill(0);
		let measuring: ProcWindow | null = null;
		let measuredWrites = 0;
		let recording = false;
		await new Promise<void>((resolve) => {
			const tick = (): void => {
				const now = performance.now();
				const elapsed = now - t0;
				if (!recording && elapsed >= warmMs) {
					recording = true;
					const seq = Math.max(...this.#seq);
					for (let room = 0; room < rooms; room++) this.#seq[room] = seq;
					this.#windowFrom = seq;
					measuring = new ProcWindow(this.#server.pid);
					this.#measure?.start();
				}
				if (elapsed >= warmMs + measureMs) {
					clearInterval(timer);
					this.#windowTo = Math.max(...this.#seq);
					resolve();
					return;
				}
				const due = Math.floor((elapsed * ratePerWriter) / 1000);
				for (let room = 0; room < rooms; room++) {
					// Never more than 1 s of catch-up in one go: an overloaded loop stays responsive.
					const target = Math.min(due, written[room]! + Math.max(1, ratePerWriter));
					while (written[room]! < target) {
						const seq = this.#seq[room]!++;
						this.#sentAt[room]![seq & 0xffff] = performance.now();
						this.#write(room, seq);
						written[room]!++;
						if (recording) measuredWrites++;
					}
				}
			};
			const timer = setInterval(tick, 2);
		});
		const expected = measuredWrites * subscribers;
		await waitFor(() => this.#delivered >= expected, drainMs);
		this.#measure?.end();
		const proc = (measuring as ProcWindow | null)?.end() ?? {
			serverCpuPct: NaN,
			serverCpuMs: NaN,
			loadCpuPct: NaN,
			peakRssMb: NaN,
			rssMb: NaN
		};
		const sorted = Float64Array.from(this.#lat).sort();
		const seconds = measureMs / 1000;
		const deliveriesPerSec = this.#delivered / seconds;
		return {
			ratePerWriter,
			offeredUpdatesPerSec: round(measuredWrites / seconds, 0),
			deliveriesPerSec: round(deliveriesPerSec, 0),
			p50Ms: round(percentile(sorted, 50)),
			p99Ms: round(percentile(sorted, 99)),
			maxMs: round(sorted.at(-1) ?? NaN),
			notDelivered: expected - this.#delivered,
			serverCpuPct: proc.serverCpuPct,
			loadCpuPct: proc.loadCpuPct,
			serverRssMb: proc.rssMb,
			cpuUsPerDelivery: round((proc.serverCpuMs * 1000) / Math.max(1, this.#delivered), 2),
			...(this.#byGroup.size > 0 && {
				byGroup: Object.fromEntries(
					[...this.#byGroup].map(([group, lat]) => {
						const sorted = Float64Array.from(lat).sort();
						return [
							group,
							{
								deliveries: sorted.length,
								p50Ms: round(percentile(sorted, 50)),
								p99Ms: round(percentile(sorted, 99)),
								maxMs: round(sorted.at(-1) ?? NaN)
							}
						];
					})
				)
			})
		};
	}

	/** Every room: writer and observers hold the same state. */
	async converged(timeoutMs = 10_000): Promise<boolean> {
		return waitFor(
			() =>
				this.#writers.every((writer, room) =>
					sameState([writer.doc, ...this.#observers[room]!.map((c) => c.doc)])
				),
			timeoutMs,
			100
		);
	}

	/**
	 * Every writer's client id is attested in its room (the relay's `attest` map, written for
	 * member writers only) to a member other than the relay, or none is when `expected` is false.
	 */
	attested(expected: boolean): boolean {
		return this.#writers.every((writer) => {
			const entry = writer.doc.getMap('attest').get(String(writer.doc.clientID)) as
				{ member?: unknown } | undefined;
			return expected ? typeof entry?.member === 'string' && entry.member !== '~relay' : !entry;
		});
	}

	close(): void {
		for (const client of [...this.#writers, ...this.#observers.flat()]) {
			client.destroy();
			// The provider leaves the doc's Awareness (and its interval timer) alive: without this,
			// every session's documents stay in the load generator's heap until the process ends.
			client.doc.destroy();
		}
	}
}

export type FanoutResult = {
	shape: FanoutShape;
	ratePerWriter: number;
	windows: WindowResult[];
	/** Medians over the windows. */
	median: Omit<WindowResult, 'ratePerWriter'>;
	converged: boolean;
};

function medianWindow(windows: WindowResult[]): FanoutResult['median'] {
	const m = (key: Exclude<keyof WindowResult, 'byGroup'>) => median(windows.map((w) => w[key]));
	return {
		offeredUpdatesPerSec: m('offeredUpdatesPerSec'),
		deliveriesPerSec: m('deliveriesPerSec'),
		p50Ms: m('p50Ms'),
		p99Ms: m('p99Ms'),
		maxMs: m('maxMs'),
		notDelivered: m('notDelivered'),
		serverCpuPct: m('serverCpuPct'),
		loadCpuPct: m('loadCpuPct'),
		serverRssMb: m('serverRssMb'),
		cpuUsPerDelivery: m('cpuUsPerDelivery')
	};
}

export async function fanout(
	server: ServerHandle,
	shape: FanoutShape,
	opts: { ratePerWriter: number; warmMs: number; measureMs: number; repeats: number; tag: string }
): Promise<FanoutResult> {
	const session = await FanoutSession.open(server, shape, opts.tag);
	try {
		const windows: WindowResult[] = [];
		for (let i = 0; i < opts.repeats; i++) {
			windows.push(
				await session.window(opts.ratePerWriter, i === 0 ? opts.warmMs : 200, opts.measureMs)
			);
		}
		return {
			shape,
			ratePerWriter: opts.ratePerWriter,
			windows,
			median: medianWindow(windows),
			converged: await session.converged()
		};
	} finally {
		session.close();
	}
}

/** Checked against unchecked writes (ours): the same comments, as a member and as a service. */
export type ChecksResult = {
	shape: FanoutShape;
	ratePerWriter: number;
	unchecked: WindowResult[];
	checked: WindowResult[];
	/** Medians over each kind's windows. */
	medianUnchecked: Omit<WindowResult, 'ratePerWriter'>;
	medianChecked: Omit<WindowResult, 'ratePerWriter'>;
	/** Server CPU per delivery, checked over unchecked, minus 1, in %. */
	costPct: number;
	converged: boolean;
};

/**
 * What the relay's write checks and attestation cost: two sessions on one server, in rooms of
 * their own, writing the same board comments, one with service tokens (not checked) and one with
 * a member's token (every update checked against the board's rules and its client attested).
 * Their windows alternate (ABBA: U C C U U C …) so that drift in the machine's load falls on both.
 */
export async function checksCost(
	server: ServerHandle,
	shape: FanoutShape,
	opts: { ratePerWriter: number; warmMs: number; measureMs: number; repeats: number; tag: string }
): Promise<ChecksResult> {
	const member = await server.memberToken();
	const unchecked = await FanoutSession.open(server, shape, `${opts.tag}u`, {
		content: 'comments',
		name: member.name
	});
	let checked: FanoutSession | null = null;
	try {
		checked = await FanoutSession.open(server, shape, `${opts.tag}c`, {
			content: 'comments',
			token: member.token,
			name: member.name
		});
		const windows = { unchecked: [] as WindowResult[], checked: [] as WindowResult[] };
		const run = async (which: 'unchecked' | 'checked', first: boolean) => {
			const session = which === 'checked' ? checked! : unchecked;
			windows[which].push(
				await session.window(opts.ratePerWriter, first ? opts.warmMs : 200, opts.measureMs)
			);
		};
		for (let i = 0; i < opts.repeats; i++) {
			const order: ('unchecked' | 'checked')[] =
				i % 2 === 0 ? ['unchecked', 'checked'] : ['checked', 'unchecked'];
			for (const which of order) await run(which, i === 0);
		}
		// A run whose member writes were not attested measured no checks at all.
		if (!checked.attested(true) || !unchecked.attested(false))
			throw new Error('the member writers were not attested, or the service writers were');
		const medianUnchecked = medianWindow(windows.unchecked);
		const medianChecked = medianWindow(windows.checked);
		return {
			shape,
			ratePerWriter: opts.ratePerWriter,
			...windows,
			medianUnchecked,
			medianChecked,
			costPct: round(
				(medianChecked.cpuUsPerDelivery / medianUnchecked.cpuUsPerDelivery - 1) * 100,
				1
			),
			converged: (await unchecked.converged()) && (await checked.converged())
		};
	} finally {
		unchecked.close();
		checked?.close();
	}
}

export type RampResult = {
	shape: FanoutShape;
	steps: WindowResult[];
	/** Highest deliveries/s of a step with p99 ≤ limit and everything delivered. */
	bestDeliveriesPerSec: number;
	bestStep: WindowResult | null;
	stoppedBecause: string;
	converged: boolean;
};

/** Collects the load generator's garbage (the harness runs with --expose-gc). */
const collectGarbage = (): void => (globalThis as { gc?: () => void }).gc?.();

/** One ramp step: its figures, and why the rate failed (null when it passed). */
export type StepOutcome = { step: WindowResult; failure: string | null };

/**
 * The rates a ramp tries: doubles from `startRate` until a rate fails or `maxRate` passed, then
 * halves the gap between the highest passing and the lowest failing rate `refineSteps` times.
 * Without the refinement the result can only be a power of two times `startRate`, so a server a
 * little faster than another looked either equal to it or twice as fast.
 */
export async function searchRates(
	tryRate: (rate: number) => Promise<StepOutcome>,
	opts: { startRate: number; maxRate: number; refineSteps: number }
): Promise<{ steps: WindowResult[]; best: WindowResult | null; stoppedBecause: string }> {
	const steps: WindowResult[] = [];
	let best: WindowResult | null = null;
	let passed = 0;
	let failed = 0;
	let stoppedBecause = `reached ${opts.maxRate} updates/s per writer`;
	const attempt = async (rate: number): Promise<boolean> => {
		const { step, failure } = await tryRate(rate);
		steps.push(step);
		if (failure) {
			failed = rate;
			stoppedBecause = failure;
			return false;
		}
		passed = rate;
		if (!best || step.deliveriesPerSec > best.deliveriesPerSec) best = step;
		return true;
	};
	for (let rate = opts.startRate; rate <= opts.maxRate; rate *= 2) {
		if (!(await attempt(rate))) break;
	}
	for (let i = 0; i < opts.refineSteps && passed > 0 && failed > passed; i++) {
		const rate = Math.round((passed + failed) / 2);
		if (rate === passed || rate === failed) break;
		await attempt(rate);
	}
	return { steps, best, stoppedBecause };
}

/**
 * W2: the highest rate per writer with p99 ≤ p99LimitMs and every update delivered
 * (`searchRates`). Every step has rooms and clients of its own, opened after a garbage
 * collection: the load generator holds 110 copies of every document it writes, and a session
 * kept across the steps made its heap grow by ~120 MB per step at 640 updates/s per writer; the
 * major collections of that heap (stalls of up to 600 ms) then decided the p99 of the late steps
 * for every server.
 */
export async function ramp(
	server: ServerHandle,
	shape: FanoutShape,
	opts: {
		startRate: number;
		maxRate: number;
		refineSteps: number;
		stepMs: number;
		p99LimitMs: number;
		tag: string;
	}
): Promise<RampResult> {
	let converged = true;
	const tryRate = async (rate: number): Promise<StepOutcome> => {
		collectGarbage();
		const session = await FanoutSession.open(server, shape, `${opts.tag}-${rate}`);
		let step: WindowResult;
		try {
			step = await session.window(rate, 300, opts.stepMs, 3000);
			// One retry of a step over the limit: on a shared machine a single spike is common.
			if (!(step.p99Ms <= opts.p99LimitMs))
				step = await session.window(rate, 300, opts.stepMs, 3000);
			await sleep(200);
			converged = (await session.converged(15_000)) && converged;
		} finally {
			session.close();
		}
		const offeredDeliveries = step.offeredUpdatesPerSec * shape.subscribers;
		let failure: string | null = null;
		if (step.notDelivered > 0 || step.deliveriesPerSec < 0.95 * offeredDeliveries)
			failure = `deliveries fell behind at ${rate}/s per writer`;
		else if (step.offeredUpdatesPerSec < 0.9 * rate * shape.rooms)
			failure = `load generator could not offer ${rate}/s per writer`;
		else if (!(step.p99Ms <= opts.p99LimitMs))
			failure = `p99 ${step.p99Ms} ms > ${opts.p99LimitMs} ms at ${rate}/s per writer`;
		return { step, failure };
	};
	const { steps, best, stoppedBecause } = await searchRates(tryRate, opts);
	return {
		shape,
		steps,
		bestDeliveriesPerSec: best?.deliveriesPerSec ?? 0,
		bestStep: best,
		stoppedBecause,
		converged
	};
}

// ---------------------------------------------------------------------------------------------
// W3: memory per idle document and unloading.

export type IdleResult = {
	docs: number;
	docBytes: number;
	heapPerDocKb: number;
	rssPerDocKb: number;
	docsLoadedWithClients: number | null;
	docsLoadedAfter: number | null;
	/** ms from the last disconnect until docsLoaded reached 0; null if it never did. */
	unloadedAfterMs: number | null;
	waitedMs: number;
	heapAfterUnloadMb: number;
	rssAfterUnloadMb: number;
	converged: boolean;
};

const randomText = (length: number): string => {
	let out = '';
	while (out.length < length) out += Math.random().toString(36).slice(2);
	return out.slice(0, length);
};

export async function idleDocs(
	server: ServerHandle,
	opts: { docs: number; docBytes: number; capMs: number; tag: string }
): Promise<IdleResult> {
	const before = await server.heap();
	const names = Array.from({ length: opts.docs }, (_, i) => `c/bench/board/${opts.tag}-${i}`);
	const writers = await connectMany((i) => createClient(server, names[i]!), opts.docs);
	for (const client of writers) client.doc.getText('t').insert(0, randomText(opts.docBytes));
	// Each doc checked by a second client: the content reached the server.
	const checkers = await connectMany((i) => createClient(server, names[i]!), opts.docs);
	const converged = await waitFor(
		() => checkers.every((c, i) => sameState([c.doc, writers[i]!.doc])),
		20_000,
		100
	);
	for (const client of checkers) client.destroy();
	await sleep(1500);
	const loaded = await server.heap();
	const docsLoadedWithClients = await server.docsLoaded();
	for (const client of writers) client.destroy();
	const left = performance.now();
	let unloadedAfterMs: number | null = null;
	let docsLoadedAfter = await server.docsLoaded();
	while (performance.now() - left < opts.capMs) {
		docsLoadedAfter = await server.docsLoaded();
		if (docsLoadedAfter === 0) {
			unloadedAfterMs = Math.round(performance.now() - left);
			break;
		}
		await sleep(250);
	}
	const waitedMs = Math.round(performance.now() - left);
	await sleep(300);
	const after = await server.heap();
	const mb = (bytes: number | undefined) => round((bytes ?? NaN) / 1048576, 1);
	return {
		docs: opts.docs,
		docBytes: opts.docBytes,
		heapPerDocKb: round(
			((loaded?.heapUsed ?? NaN) +
				(loaded?.external ?? 0) -
				(before?.heapUsed ?? NaN) -
				(before?.external ?? 0)) /
				1024 /
				opts.docs,
			1
		),
		rssPerDocKb: round(((loaded?.rss ?? NaN) - (before?.rss ?? NaN)) / 1024 / opts.docs, 1),
		docsLoadedWithClients,
		docsLoadedAfter,
		unloadedAfterMs,
		waitedMs,
		heapAfterUnloadMb: mb((after?.heapUsed ?? NaN) + (after?.external ?? 0)),
		rssAfterUnloadMb: mb(after?.rss),
		converged
	};
}

// ---------------------------------------------------------------------------------------------
// W4: cold load of a ~10 MB document after a restart.

export type Fixture = { full: Uint8Array; partial: Uint8Array; items: number; sv: string };

/** "blocks": a Y.Array of 120-character strings, written by one client; `partial` is 95%. */
export function buildFixture(targetBytes: number): Fixture {
	const doc = new Y.Doc();
	const blocks = doc.getArray<string>('blocks');
	const items = Math.round(targetBytes / 123);
	const line = (i: number) => `${String(i).padStart(8, '0')} ${'x'.repeat(111)}`;
	let partial: Uint8Array | null = null;
	for (let i = 0; i < items; i += 500) {
		if (!partial && i >= items * 0.95) partial = Y.encodeStateAsUpdate(doc);
		blocks.push(Array.from({ length: Math.min(500, items - i) }, (_, k) => line(i + k)));
	}
	const full = Y.encodeStateAsUpdate(doc);
	return { full, partial: partial ?? full, items, sv: svKey(doc) };
}

export type JoinResult = {
	syncedMs: number;
	serverCpuMs: number;
	peakRssMb: number;
	converged: boolean;
};
export type ColdResult = {
	fixtureBytes: number;
	empty: JoinResult[];
	partial: JoinResult[];
	median: { emptyMs: number; partialMs: number };
	converged: boolean;
};

async function join(
	server: ServerHandle,
	name: string,
	fixture: Fixture,
	start: Uint8Array | null
): Promise<JoinResult> {
	const doc = new Y.Doc();
	if (start) Y.applyUpdate(doc, start);
	// The joiner lives in the load generator, which has run every workload before this one: a
	// collection of that garbage in the middle of a join would be counted against the server.
	collectGarbage();
	const proc = new ProcWindow(server.pid, 20);
	const t0 = performance.now();
	const client = createClient(server, name, { doc });
	try {
		await client.whenSynced(60_000);
		// Measured until the joiner holds the whole document, not until the provider says
		// `synced`: @y/websocket-server + y-leveldb answers before its document has loaded
		// (the state arrives later as updates), which would otherwise look instant.
		const converged = await waitFor(
			() => svKey(doc) === fixture.sv && doc.getArray('blocks').length === fixture.items,
			30_000,
			2
		);
		const syncedMs = round(performance.now() - t0, 1);
		const p = proc.end();
		return { syncedMs, serverCpuMs: p.serverCpuMs, peakRssMb: p.peakRssMb, converged };
	} finally {
		client.destroy();
	}
}

/**
 * Writes the fixture through the target's own client, restarts the server, then measures a
 * fresh joiner and a joiner holding 95%, each right after its own restart.
 */
export async function coldLoad(
	server: ServerHandle,
	fixture: Fixture,
	opts: { repeats: number; tag: string }
): Promise<ColdResult> {
	const name = `c/bench/board/${opts.tag}`;
	if (server.spec.id === 'raw-ws') {
		// The floor's server reads FLOOR_FILE itself.
	} else {
		const doc = new Y.Doc();
		Y.applyUpdate(doc, fixture.full);
		const loader = createClient(server, name, { doc, persisted: server.spec.confirms });
		await loader.whenSynced(60_000);
		if (server.spec.confirms) {
			const [client, clock] = [...Y.decodeStateVector(Y.encodeStateVector(doc))][0] ?? [0, 0];
			await waitFor(() => (loader.persisted()?.get(client) ?? 0) >= clock, 60_000);
		} else {
			// No confirmation to wait for: give the server a quiet moment to store.
			await sleep(3000);
		}
		loader.destroy();
		await sleep(server.spec.confirms ? 200 : 3000);
	}
	const port = server.port;
	const empty: JoinResult[] = [];
	const partial: JoinResult[] = [];
	for (let i = 0; i < opts.repeats; i++) {
		await server.stop();
		await server.start(port);
		empty.push(await join(server, name, fixture, null));
		await server.stop();
		await server.start(port);
		partial.push(await join(server, name, fixture, fixture.partial));
	}
	const converged = [...empty, ...partial].every((r) => r.converged);
	return {
		fixtureBytes: fixture.full.length,
		empty,
		partial,
		median: {
			emptyMs: median(empty.map((r) => r.syncedMs)),
			partialMs: median(partial.map((r) => r.syncedMs))
		},
		converged
	};
}

export function writeFloorFile(dir: string, fixture: Fixture): string {
	const file = path.join(dir, 'floor-doc.bin');
	fs.writeFileSync(file, fixture.full);
	return file;
}

// ---------------------------------------------------------------------------------------------
// W5: reconnect storm after kill -9 while a writer keeps writing.

export type StormResult = {
	clients: number;
	rooms: number;
	writtenBeforeKill: number;
	confirmedBeforeKill: number | null;
	/** Written (sent while connected) before the kill but absent after the restart. */
	lostOfSent: number;
	/** Ours only: confirmed by a type-100 message before the kill but absent after the restart. */
	lostOfConfirmed: number | null;
	resyncP50Ms: number;
	resyncP99Ms: number;
	resyncAllMs: number | null;
	/** The restart: spawn to the server's listening line. */
	startMs: number;
	/** Each client's socket open to its re-sync (the server's part of the re-sync), p99. */
	serveP99Ms: number;
	/** From kill -9 to every client re-synced (the probe instance's start and read included). */
	outageMs: number | null;
	/** Ours: clients whose connection the restart held while it started (early-listener.ts). */
	heldAtRestart: number | null;
	notResynced: number;
	serverCpuMs: number;
	peakRssMb: number;
	converged: boolean;
};

export async function storm(
	server: ServerHandle,
	opts: {
		clients: number;
		rooms: number;
		writeRate: number;
		writeMs: number;
		capMs: number;
		tag: string;
	}
): Promise<StormResult> {
	const port = server.port;
	const names = Array.from({ length: opts.rooms }, (_, i) => `c/bench/board/${opts.tag}-${i}`);
	const writer = createClient(server, names[0]!, { persisted: server.spec.confirms });
	await writer.whenSynced();
	const perRoom = Math.ceil((opts.clients - 1) / opts.rooms);
	const observers = await connectMany(
		(i) => createClient(server, names[i % opts.rooms]!),
		opts.clients - 1
	);
	// Every room gets some content, so re-syncing is not free.
	for (let room = 0; room < opts.rooms; room++) {
		observers[room]?.doc.getText('t').insert(0, randomText(1000));
	}
	await sleep(500);
	const map = writer.doc.getMap('m');
	const clockAfter: number[] = [];
	let seq = 0;
	let connected = true;
	let sentBeforeKill = 0;
	const write = () => {
		map.set(String(seq), 'v'.repeat(32));
		clockAfter[seq] = Y.getState(writer.doc.store, writer.doc.clientID);
		seq++;
		if (connected) sentBeforeKill = seq;
	};
	const timer = setInterval(write, 1000 / opts.writeRate);
	await sleep(opts.writeMs);
	connected = false;
	const killedAt = performance.now();
	await server.kill9();
	const persisted = writer.persisted();
	const confirmedClock = persisted?.get(writer.doc.clientID) ?? 0;
	void perRoom;
	const confirmedBeforeKill = server.spec.confirms
		? clockAfter.slice(0, sentBeforeKill).filter((c) => c <= confirmedClock).length
		: null;
	// When each client opened its socket to, and re-synced with, the restarted instance (clients
	// are down since the kill, so every transition from the restart's start on is to it; a server
	// may accept before its listening line).
	const resynced = new Map<BenchClient, number>();
	const opened = new Map<BenchClient, number>();
	let startingAt = Infinity;
	const all = [writer, ...observers];
	for (const client of all) {
		client.onConnected(() => {
			if (performance.now() >= startingAt && !opened.has(client))
				opened.set(client, performance.now());
		});
		client.onSynced(() => {
			if (performance.now() >= startingAt && !resynced.has(client))
				resynced.set(client, performance.now());
		});
	}
	// What survived: read by a probe from a second instance on the same data, before any client
	// can reconnect and hand the server its own copy back.
	await server.start(0);
	const probeDoc = new Y.Doc();
	const probe = createClient(server, names[0]!, { doc: probeDoc });
	await probe.whenSynced(60_000);
	await sleep(200);
	const present = new Set(probeDoc.getMap('m').keys());
	probe.destroy();
	await server.kill9();
	let lostOfSent = 0;
	let lostOfConfirmed = 0;
	for (let i = 0; i < sentBeforeKill; i++) {
		if (present.has(String(i))) continue;
		lostOfSent++;
		if (clockAfter[i]! <= confirmedClock) lostOfConfirmed++;
	}
	// The storm: restart on the clients' port and wait for all of them.
	startingAt = performance.now();
	await server.start(port);
	const restartedAt = performance.now();
	const proc = new ProcWindow(server.pid, 50);
	await waitFor(() => resynced.size >= all.length, opts.capMs, 50);
	clearInterval(timer);
	const p = proc.end();
	// Counted from the listening line (0 for a client re-synced before it).
	const times = Float64Array.from(resynced.values(), (at) => Math.max(0, at - restartedAt)).sort();
	const serve = Float64Array.from(
		resynced,
		([client, at]) => at - (opened.get(client) ?? at)
	).sort();
	const converged = await waitFor(
		() => {
			for (let room = 0; room < opts.rooms; room++) {
				const docs = observers.filter((_, i) => i % opts.rooms === room).map((c) => c.doc);
				if (room === 0) docs.push(writer.doc);
				if (!sameState(docs)) return false;
			}
			return true;
		},
		20_000,
		200
	);
	for (const client of all) client.destroy();
	return {
		clients: all.length,
		rooms: opts.rooms,
		writtenBeforeKill: sentBeforeKill,
		confirmedBeforeKill,
		lostOfSent,
		lostOfConfirmed: server.spec.confirms ? lostOfConfirmed : null,
		resyncP50Ms: round(percentile(times, 50), 0),
		resyncP99Ms: round(percentile(times, 99), 0),
		resyncAllMs: resynced.size >= all.length ? round(times.at(-1) ?? NaN, 0) : null,
		startMs: round(restartedAt - startingAt, 0),
		heldAtRestart: server.waited,
		serveP99Ms: round(percentile(serve, 99), 0),
		outageMs:
			resynced.size >= all.length ? round(Math.max(...resynced.values()) - killedAt, 0) : null,
		notResynced: all.length - resynced.size,
		serverCpuMs: p.serverCpuMs,
		peakRssMb: p.peakRssMb,
		converged
	};
}
