import { readFileSync } from 'node:fs';
import { sveltekit } from '@sveltejs/kit/vite';
import { SvelteKitPWA } from '@vite-pwa/sveltekit';
import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { defineConfig } from 'vitest/config';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
	version: string;
};

export default defineConfig({
	define: { __APP_VERSION__: JSON.stringify(pkg.version) },
	server: {
		// `npm run dev`: the relay runs beside Vite (`npm run serve`); same-origin paths proxy to it.
		proxy: {
			'/sync': { target: 'ws://127.0.0.1:8787', ws: true },
			'/health': 'http://127.0.0.1:8787'
		}
	},
	build: {
		rolldownOptions: {
			output: {
				codeSplitting: {
					groups: [
						// The framework every screen runs (Svelte, SvelteKit's client, their helpers) as
						// one file: on a 400 ms link each extra file of the first screen costs a round trip.
						{
							name: 'framework',
							test: /node_modules[\\/](svelte|@sveltejs[\\/]kit|esm-env|clsx|devalue)[\\/]/
						}
					]
				}
			}
		}
	},
	plugins: [
		paraglideVitePlugin({
			project: './project.inlang',
			outdir: './src/lib/paraglide',
			// Offline SPA: the language chosen in settings, else zh-CN (our users read Chinese,
			// whatever language their phone's browser reports).
			strategy: ['localStorage', 'baseLocale']
		}),
		sveltekit(),
		// The service worker matters only to builds; under Vitest it would keep the process alive.
		!process.env.VITEST &&
			SvelteKitPWA({
				registerType: 'prompt',
				strategies: 'generateSW',
				manifest: {
					id: '/',
					name: 'Gridboard 网格台账',
					short_name: 'Gridboard',
					description:
						'社区网格治理台账：离线可用，多人同步。Community grid ledger that works offline.',
					lang: 'zh-CN',
					start_url: '/',
					scope: '/',
					display: 'standalone',
					orientation: 'portrait',
					theme_color: '#b4232a',
					background_color: '#ffffff',
					icons: [
						{ src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
						{ src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
						{
							src: '/icons/icon-maskable-512.png',
							sizes: '512x512',
							type: 'image/png',
							purpose: 'maskable'
						}
					]
				},
				workbox: {
					globPatterns: ['client/**/*.{js,css,ico,png,svg,webp,webmanifest,woff2}'],
					navigateFallbackDenylist: [/^\/sync\//, /^\/health/, /^\/api\//, /^\/n\//],
					// Fills the HTTP cache six files at a time before Workbox's one-by-one precache.
					importScripts: ['/precache-warm.js']
				},
				kit: { spa: true, adapterFallback: '200.html' }
			})
	],
	test: {
		include: [
			'src/**/*.test.ts',
			'sync-server/**/*.test.ts',
			'bench/**/*.test.ts',
			'tests/tooling/**/*.test.ts',
			'tests/contract/**/*.test.ts'
		],
		environment: 'node',
		testTimeout: 30_000,
		hookTimeout: 30_000
	}
});
