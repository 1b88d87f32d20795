/**
 * The browser check's decisions (tests/tooling/find-browser.ts), with a fake machine.
 */
import { describe, expect, it } from 'vitest';
import { findBrowser, SYSTEM_CHROMIUM, type BrowserProbe } from './find-browser.ts';

const OWN = '/home/u/.cache/ms-playwright/chromium-1234/chrome-linux/chrome';

function machine(files: string[], overrides: Partial<BrowserProbe> = {}) {
	const present = new Set(files);
	let downloads = 0;
	const probe: BrowserProbe = {
		exists: (file) => present.has(file),
		playwrightChromium: () => OWN,
		downloadsAllowed: true,
		download: () => {
			downloads++;
			return false;
		},
		hasAptGet: true,
		...overrides
	};
	return { probe, present, downloads: () => downloads };
}

describe('findBrowser', () => {
	it("uses Debian's Chromium first, without downloading", () => {
		const m = machine([SYSTEM_CHROMIUM, OWN]);
		expect(findBrowser(m.probe)).toEqual({
			ok: true,
			source: 'system',
			executable: SYSTEM_CHROMIUM
		});
		expect(m.downloads()).toBe(0);
	});

	it("uses Playwright's Chromium when it is installed", () => {
		const m = machine([OWN]);
		expect(findBrowser(m.probe)).toEqual({ ok: true, source: 'playwright', executable: OWN });
		expect(m.downloads()).toBe(0);
	});

	it("downloads Playwright's Chromium where downloads are allowed", () => {
		const present = new Set<string>();
		const probe: BrowserProbe = {
			exists: (file) => present.has(file),
			playwrightChromium: () => OWN,
			downloadsAllowed: true,
			download: () => (present.add(OWN), true),
			hasAptGet: false
		};
		expect(findBrowser(probe)).toEqual({ ok: true, source: 'downloaded', executable: OWN });
	});

	it('stops with the apt-get command when the download fails on a Debian-like machine', () => {
		const m = machine([]);
		const choice = findBrowser(m.probe);
		expect(m.downloads()).toBe(1);
		expect(choice).toMatchObject({ ok: false, fix: 'sudo apt-get install chromium' });
		if (choice.ok) throw new Error('expected a failure');
		expect(choice.message).toContain('Fix: sudo apt-get install chromium');
		expect(choice.message).toContain('downloading');
	});

	it('names the Playwright command where there is no apt-get', () => {
		const m = machine([], { hasAptGet: false });
		expect(findBrowser(m.probe)).toMatchObject({
			ok: false,
			fix: 'npx playwright install chromium'
		});
	});

	it('does not try to download when downloads are off, and says so', () => {
		const m = machine([], { downloadsAllowed: false });
		const choice = findBrowser(m.probe);
		expect(m.downloads()).toBe(0);
		if (choice.ok) throw new Error('expected a failure');
		expect(choice.message).toContain('PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD');
		expect(choice.fix).toBe('sudo apt-get install chromium');
	});

	it('a download that exits 0 but leaves no browser is a failure', () => {
		const m = machine([], { download: () => true });
		expect(findBrowser(m.probe)).toMatchObject({ ok: false });
	});
});
