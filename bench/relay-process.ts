/**
 * Starts the real relay (`sync-server/main.ts`) as a child process on a free loopback port, for
 * the browser benchmarks (bench/board, bench/load). Resolves with its origin once it logs
 * `listening`; rejects if it exits first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function startRelayProcess(
	env: Record<string, string>
): Promise<{ child: ChildProcess; origin: string }> {
	const child = spawn(
		process.execPath,
		[
			'--experimental-strip-types',
			'--experimental-sqlite',
			'--disable-warning=ExperimentalWarning',
			'sync-server/main.ts'
		],
		{
			cwd: ROOT,
			env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...env },
			stdio: ['ignore', 'pipe', 'inherit']
		}
	);
	return new Promise((resolve, reject) => {
		let buffered = '';
		child.once('exit', (code) => reject(new Error(`relay exited (${code})`)));
		child.stdout!.on('data', (chunk: Buffer) => {
			buffered += chunk.toString();
			const match = /"event":"listening".*"port":(\d+)/.exec(buffered);
			if (match) resolve({ child, origin: `http://127.0.0.1:${match[1]}` });
		});
	});
}
