import { defineConfig, devices } from '@playwright/test';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Debian's Chromium where it exists (CI installs it); Playwright's own browser elsewhere.
const SYSTEM_CHROMIUM = '/usr/bin/chromium';
const executablePath = existsSync(SYSTEM_CHROMIUM) ? SYSTEM_CHROMIUM : undefined;

const PORT = Number(process.env.E2E_PORT ?? 4319);
// A fresh relay store per run: tests never see each other's leftovers from earlier runs.
const dataDir = process.env.E2E_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'gridboard-e2e-'));
process.env.E2E_DATA_DIR = dataDir;

/** Spec files that run one at a time after the others (see `workers`). */
const ALONE = [/map[\w-]*\.spec\.ts$/, /basemap-download\.spec\.ts$/, /small-screens\.spec\.ts$/];

export default defineConfig({
	testDir: 'tests',
	testMatch: '**/*.spec.ts',
	// Two workers (E2E_WORKERS to change): spec files run side by side, each file's tests in
	// order in one worker. Every test makes its own community on the one shared relay, so files
	// never see each other's data. The specs that draw the map in software (SwiftShader) or walk
	// every screen run afterwards, one at a time (project "alone"): beside another browser on a
	// 2-core machine they would be starved of CPU.
	fullyParallel: false,
	workers: Number(process.env.E2E_WORKERS ?? 2),
	retries: 0,
	timeout: 60_000,
	expect: { timeout: 15_000 },
	reporter: process.env.CI ? [['list']] : [['list']],
	use: {
		baseURL: `http://127.0.0.1:${PORT}`,
		...devices['Pixel 7'],
		// The narrowest common Android phone.
		viewport: { width: 360, height: 740 },
		browserName: 'chromium',
		launchOptions: {
			executablePath,
			args: [
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync',
				'--no-first-run',
				'--disable-quic'
			]
		},
		trace: 'retain-on-failure'
	},
	projects: [
		{ name: 'side-by-side', testIgnore: ALONE },
		{ name: 'alone', testMatch: ALONE, workers: 1, dependencies: ['side-by-side'] }
	],
	webServer: {
		command:
			'node --experimental-strip-types --experimental-sqlite --disable-warning=ExperimentalWarning sync-server/main.ts',
		url: `http://127.0.0.1:${PORT}/health`,
		reuseExistingServer: false,
		timeout: 60_000,
		env: {
			HOST: '127.0.0.1',
			PORT: String(PORT),
			DATA_DIR: dataDir,
			STATIC_DIR: 'build'
		}
	}
});
