/**
 * Run by `npm run test:e2e` before the build: makes sure the browser tests have a Chromium, or
 * stops at once with the one command that fixes it (instead of Playwright's "executable doesn't
 * exist" after a build and a relay start).
 *
 * Order (playwright.config.ts uses the same): Debian's /usr/bin/chromium; else Playwright's own
 * Chromium when installed; else `npx playwright install chromium` where downloads are allowed
 * (not when PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD is set); else exit 1 naming `apt-get install
 * chromium` on machines with apt-get, `npx playwright install chromium` elsewhere.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SYSTEM_CHROMIUM = '/usr/bin/chromium';

/** What the decision needs to know about the machine; injected in tests. */
export type BrowserProbe = {
	exists: (file: string) => boolean;
	/** Where Playwright's own Chromium would be (it may not be there). */
	playwrightChromium: () => string;
	downloadsAllowed: boolean;
	/** Runs `npx playwright install chromium`; true when it exited 0. */
	download: () => boolean;
	hasAptGet: boolean;
};

export type BrowserChoice =
	| { ok: true; source: 'system' | 'playwright' | 'downloaded'; executable: string }
	| { ok: false; fix: string; message: string };

export function failure(probe: Pick<BrowserProbe, 'hasAptGet'>, tried: boolean): BrowserChoice {
	const fix = probe.hasAptGet ? 'sudo apt-get install chromium' : 'npx playwright install chromium';
	const why = tried
		? "and downloading Playwright's Chromium failed"
		: 'and browser downloads are off (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD)';
	return {
		ok: false,
		fix,
		message:
			`The browser tests need Chromium: there is no ${SYSTEM_CHROMIUM} and no Playwright Chromium, ${why}.\n` +
			`Fix: ${fix}\nthen run the tests again.`
	};
}

export function findBrowser(probe: BrowserProbe): BrowserChoice {
	if (probe.exists(SYSTEM_CHROMIUM))
		return { ok: true, source: 'system', executable: SYSTEM_CHROMIUM };
	const own = probe.playwrightChromium();
	if (probe.exists(own)) return { ok: true, source: 'playwright', executable: own };
	if (!probe.downloadsAllowed) return failure(probe, false);
	if (probe.download() && probe.exists(own))
		return { ok: true, source: 'downloaded', executable: own };
	return failure(probe, true);
}

function commandExists(name: string): boolean {
	return (process.env.PATH ?? '')
		.split(':')
		.some((dir) => dir !== '' && fs.existsSync(`${dir}/${name}`));
}

async function main(): Promise<void> {
	const { chromium } = await import('@playwright/test');
	const skip = process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD;
	const choice = findBrowser({
		exists: (file) => fs.existsSync(file),
		playwrightChromium: () => chromium.executablePath(),
		downloadsAllowed: !skip || skip === '0' || skip === 'false',
		download: () => {
			console.log('No Chromium found: trying `npx playwright install chromium`…');
			const result = spawnSync('npx', ['playwright', 'install', 'chromium'], {
				stdio: 'inherit',
				timeout: 10 * 60_000
			});
			return result.status === 0;
		},
		hasAptGet: commandExists('apt-get')
	});
	if (!choice.ok) {
		console.error(`\n${choice.message}\n`);
		process.exit(1);
	}
	console.log(
		`browser tests: Chromium ${choice.source === 'system' ? 'from' : 'of Playwright at'} ${choice.executable}`
	);
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
	await main();
}
