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
