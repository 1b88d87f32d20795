import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		// SPA: data lives in the browser; the relay serves these files with a fallback for deep links.
		adapter: adapter({ pages: 'build', assets: 'build', fallback: '200.html', strict: true }),
		// The prerendered `/join` carries its CSS in the HTML (one round trip less on a weak link).
		inlineStyleThreshold: 32 * 1024,
		// The PWA plugin registers the service worker itself.
		serviceWorker: { register: false },
		// A strict Content-Security-Policy in every built page's <meta> (ARCHITECTURE.md, Security):
		// scripts only from this origin or hashed by SvelteKit, nothing remote, the relay's own
		// WebSocket only. The relay adds what a <meta> cannot carry (frame-ancestors) as headers.
		csp: {
			mode: 'hash',
			directives: {
				'default-src': ['self'],
				'script-src': ['self'],
				// Svelte writes style attributes and transition keyframes at run time: hashes cannot
				// name those, so inline styles stay allowed (styles cannot run code).
				'style-src': ['self', 'unsafe-inline'],
				'img-src': ['self', 'data:', 'blob:'],
				'font-src': ['self'],
				// 'self' covers ws:/wss: to the same host (CSP Level 3).
				'connect-src': ['self'],
				// The service worker, and map rendering workers (maplibre) made from blobs.
				'worker-src': ['self', 'blob:'],
				'manifest-src': ['self'],
				'object-src': ['none'],
				'base-uri': ['self'],
				'form-action': ['self']
			}
		},
		// Absolute asset paths, or the manifest link breaks on deep routes served by the fallback.
		paths: { relative: false },
		typescript: {
			// The relay and benchmarks are type-checked with the app.
			config: (tsconfig) => {
				tsconfig.include.push(
					'../sync-server/**/*.ts',
					'../bench/**/*.ts',
					'../tests/**/*.ts',
					'../scripts/**/*.ts'
				);
				// The relay benchmark's own package (bench/relay/package.json) installs beside it.
				tsconfig.exclude.push('../bench/relay/node_modules/**');
				return tsconfig;
			}
		}
	}
};

export default config;
