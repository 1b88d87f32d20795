/** Server CPU and memory from /proc (Linux), sampled from the load process. */
import fs from 'node:fs';

const CLK_TCK = 100;

/** utime + stime of a process, in seconds. */
export function cpuSeconds(pid: number): number {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
	} catch {
		return 0;
	}
}

/** Resident set size in bytes (VmRSS), 0 if the process is gone. */
export function rssBytes(pid: number): number {
	try {
		const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
		const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
		return kb ? Number(kb) * 1024 : 0;
	} catch {
		return 0;
	}
}

/** Samples a process's RSS every `everyMs` and keeps the peak; measures CPU over the window. */
export class ProcWindow {
	readonly pid: number;
	peakRss = 0;
	#cpu0: number;
	#t0 = performance.now();
	#load0 = process.cpuUsage();
	#timer: NodeJS.Timeout;

	constructor(pid: number, everyMs = 100) {
		this.pid = pid;
		this.#cpu0 = cpuSeconds(pid);
		this.peakRss = rssBytes(pid);
		this.#timer = setInterval(() => {
			this.peakRss = Math.max(this.peakRss, rssBytes(pid));
		}, everyMs);
		this.#timer.unref();
	}

	/** Stops sampling; CPU as % of one core over the window, for the server and the load process. */
	end(): {
		serverCpuPct: number;
		serverCpuMs: number;
		loadCpuPct: number;
		peakRssMb: number;
		rssMb: number;
	} {
		clearInterval(this.#timer);
		const seconds = (performance.now() - this.#t0) / 1000;
		const cpu = cpuSeconds(this.pid) - this.#cpu0;
		const load = process.cpuUsage(this.#load0);
		const rss = rssBytes(this.pid);
		this.peakRss = Math.max(this.peakRss, rss);
		return {
			serverCpuPct: round((100 * cpu) / seconds, 1),
			serverCpuMs: Math.round(cpu * 1000),
			loadCpuPct: round((100 * (load.user + load.system)) / 1e6 / seconds, 1),
			peakRssMb: round(this.peakRss / 1048576, 1),
			rssMb: round(rss / 1048576, 1)
		};
	}
}

export function round(value: number, digits = 2): number {
	const f = 10 ** digits;
	return Math.round(value * f) / f;
}

export function percentile(sorted: Float64Array | number[], p: number): number {
	if (sorted.length === 0) return NaN;
	const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
	return sorted[index] ?? NaN;
}

export function median(values: number[]): number {
	const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
	if (finite.length === 0) return NaN;
	const mid = finite.length >> 1;
	return finite.length % 2 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
}

export const sleep = (ms: number): Promise<void> =>
	new Promise((resolve) => setTimeout(resolve, ms));
