/**
 * Preloaded (`node --expose-gc --import gc-hook.mjs`) into every benchmarked server, so heap figures
 * are comparable without touching the servers' code: on SIGUSR2 it runs a full GC and writes
 * `process.memoryUsage()` as JSON to $BENCH_MEM_FILE.
 */
import fs from 'node:fs';

const file = process.env.BENCH_MEM_FILE;
if (file) {
	process.on('SIGUSR2', () => {
		if (typeof globalThis.gc === 'function') globalThis.gc();
		fs.writeFileSync(`${file}.tmp`, JSON.stringify(process.memoryUsage()));
		fs.renameSync(`${file}.tmp`, file);
	});
}
