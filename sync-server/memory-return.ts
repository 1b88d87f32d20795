/**
 * Gives memory back to the system once the relay goes quiet (issue 22, "Each relay holds up for
 * days"; ARCHITECTURE.md, "Memory after load").
 *
 * Under load V8 grows its young generation (up to two 64 MiB semi-spaces on a 64-bit machine with
 * a few GB of RAM) and keeps the 256 KiB pages a collection frees in a pool for reuse. Ordinary
 * collections leave both as they are; only a memory-reducing full collection shrinks the young
 * generation and unmaps the pooled pages. V8 runs one by itself (its memory reducer) only after a
 * long stretch of complete idleness: ~90 s in `npm run bench:soak`, so a relay whose bursts come
 * closer than that, or whose phones stay connected, kept its peak: the JavaScript heap in use back
 * at its baseline, the process's RSS at +70 … +220 % (issue 22: 115 → 278 MB).
 *
 * Invariant: such a collection runs only when the relay was quiet (its event loop busy less than
 * `quietShare` of the time) for `quietChecks` checks in a row AND its RSS grew by more than
 * `growthBytes` over the lowest RSS seen since the previous one (or since start-up); at most one
 * per check. It pauses the event loop (tens of ms) at a moment when there is little to delay, and
 * never while the relay is busy. `gc` is reached without a command-line flag, so every way of
 * starting the relay (npm run serve, node sync-server/main.ts, tests) gets the same behaviour.
 */
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';

type MemoryReturnOptions = {
	/** Time between two checks, in ms; 0: never give memory back. */
	everyMs: number;
	/** The event loop's busy share under which a check window counts as quiet. */
	quietShare?: number;
	/** Quiet windows in a row before memory is given back. */
	quietChecks?: number;
	/** RSS growth over the lowest RSS since the last return that makes one worth its pause. */
	growthBytes?: number;
	log?: (event: Record<string, unknown>) => void;
};

/** What one check needs from the process: injectable so the rule is tested without timing. */
export type MemoryProbe = {
	rss(): number;
	/** Busy share of the event loop since the previous call (0–1). */
	busyShare(): number;
	/** A memory-reducing full collection. */
	collect(): void;
	now(): number;
};

const MEMORY_RETURN_DEFAULTS = {
	// A relay holding 1,000 phones that renew presence and write (npm run bench:presence) is busy
	// 8–9 % of the time: not quiet. An idle one, well under 1 %.
	quietShare: 0.03,
	quietChecks: 2,
	growthBytes: 16 * 1024 * 1024
};

/** The decision of the checks, over a probe. */
export class MemoryReturn {
	#probe: MemoryProbe;
	#options: Required<Omit<MemoryReturnOptions, 'everyMs' | 'log'>>;
	#log: (event: Record<string, unknown>) => void;
	#floor: number;
	#quiet = 0;
	/** Memory-reducing collections run so far. */
	returns = 0;

	constructor(probe: MemoryProbe, options: Omit<MemoryReturnOptions, 'everyMs'> = {}) {
		this.#probe = probe;
		this.#options = {
			quietShare: options.quietShare ?? MEMORY_RETURN_DEFAULTS.quietShare,
			quietChecks: options.quietChecks ?? MEMORY_RETURN_DEFAULTS.quietChecks,
			growthBytes: options.growthBytes ?? MEMORY_RETURN_DEFAULTS.growthBytes
		};
		this.#log = options.log ?? (() => {});
		this.#floor = probe.rss();
	}

	/** One check; true when it gave memory back. */
	check(): boolean {
		const busy = this.#probe.busyShare();
		const rss = this.#probe.rss();
		this.#floor = Math.min(this.#floor, rss);
		this.#quiet = busy < this.#options.quietShare ? this.#quiet + 1 : 0;
		if (this.#quiet < this.#options.quietChecks || rss - this.#floor <= this.#options.growthBytes)
			return false;
		const start = this.#probe.now();
		this.#probe.collect();
		const after = this.#probe.rss();
		this.#floor = after;
		this.#quiet = 0;
		this.returns++;
		this.#log({
			event: 'memory-returned',
			rssBeforeMb: Math.round(rss / 1048576),
			rssAfterMb: Math.round(after / 1048576),
			pauseMs: Math.round(this.#probe.now() - start)
		});
		return true;
	}
}

let reducingGc: (() => void) | null = null;

/**
 * V8's memory-reducing full collection. `--expose-gc` set at run time exposes `gc` to contexts
 * created afterwards only: one is made for it, the relay's own context gets no `gc` global.
 */
function collectReducing(): void {
	if (!reducingGc) {
		v8.setFlagsFromString('--expose-gc');
		const gc = vm.runInNewContext('gc') as (options: object) => void;
		reducingGc = () => gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
	}
	reducingGc();
}

/** The process itself as a probe. */
function processProbe(): MemoryProbe {
	let last: EventLoopUtilization = performance.eventLoopUtilization();
	return {
		rss: () => process.memoryUsage.rss(),
		busyShare() {
			const now = performance.eventLoopUtilization();
			const share = performance.eventLoopUtilization(now, last).utilization;
			last = now;
			return share;
		},
		collect: collectReducing,
		now: () => performance.now()
	};
}

/** Starts the checks (none when `everyMs` is 0); returns their stop function. */
export function startMemoryReturn(options: MemoryReturnOptions): () => void {
	if (options.everyMs <= 0) return () => {};
	const memory = new MemoryReturn(processProbe(), options);
	const timer = setInterval(() => memory.check(), options.everyMs);
	timer.unref();
	return () => clearInterval(timer);
}
