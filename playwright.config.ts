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

export default defineConfig({
	testDir: 'tests',
	testMatch: '**/*.spec.ts',
	fullyParallel: false,
	workers: 1,
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
