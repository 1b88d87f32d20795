import js from '@eslint/js';
import ts from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import svelteConfig from './svelte.config.js';

/*
 * Imports flow one way (ARCHITECTURE.md, "Layers"):
 *
 *   wire ← domain ← model ─┬─ engine ← reactive, photos, editor, map ← screens ← components ← routes
 *                 ← sync ──┘
 *          domain ← spreadsheets ← screens (file formats, loaded on demand)
 *
 * (sync never imports model), and the relay (sync-server/) takes nothing from src/ but the wire contract. Each layer below
 * lists what it must not import; `no-restricted-imports` has one option list per file, so every
 * file matches exactly one entry.
 */

/** An import of `layer` from anywhere in src/lib: `$lib/layer…` or `../layer…`. */
const layer = (name) => ({
	regex: `^(\\$lib/${name}|(\\.\\./)+${name})(/|$)`,
	message: `This layer must not import ${name}/ (ARCHITECTURE.md, "Layers").`
});
const ROUTES = {
	regex: '(^|/)routes(/|$)',
	message: 'Nothing in src/lib imports a route (ARCHITECTURE.md, "Layers").'
};
const PACKAGES = (names, why) => ({ group: names, message: why });

/** [files, forbidden imports] per layer; test files of a layer follow the same rule. */
const LAYERS = [
	[
		['src/lib/wire/**/*.ts'],
		[
			{
				// Only its own files, each with its `.ts` extension (vitest in its tests).
				regex: '^(?!(vitest|\\./[a-z0-9-]+\\.ts)$)',
				message:
					'The wire contract imports only its own files, as ./name.ts, so Node runs it directly.'
			}
		]
	],
	[
		['src/lib/domain/**/*.ts'],
		[
			PACKAGES(['yjs', 'y-*', 'svelte', 'svelte/*', '@tiptap/*'], 'The domain is pure TypeScript.'),
			...[
				'model',
				'sync',
				'engine',
				'reactive',
				'screens',
				'components',
				'editor',
				'photos',
				'map',
				'spreadsheets'
			].map(layer),
			ROUTES
		]
	],
	[
		['src/lib/model/**/*.ts'],
		[
			PACKAGES(['svelte', 'svelte/*'], 'The model has no Svelte.'),
			...[
				'sync',
				'engine',
				'reactive',
				'screens',
				'components',
				'photos',
				'map',
				'spreadsheets'
			].map(layer),
			ROUTES
		]
	],
	[
		['src/lib/sync/**/*.ts'],
		[
			PACKAGES(['svelte', 'svelte/*'], 'Sync has no Svelte.'),
			...['model', 'engine', 'reactive', 'screens', 'components', 'editor', 'map'].map(layer),
			ROUTES
		]
	],
	[
		['src/lib/engine/**/*.ts'],
		[
			PACKAGES(['svelte', 'svelte/*'], 'The sync engine has no Svelte.'),
			...['reactive', 'screens', 'components', 'editor', 'photos', 'map'].map(layer),
			ROUTES
		]
	],
	[
		['src/lib/spreadsheets/**/*.ts'],
		[
			PACKAGES(['yjs', 'y-*', 'svelte', 'svelte/*'], 'Spreadsheets read and write files only.'),
			// Static imports only: `await import('papaparse')` inside a function is how they load.
			PACKAGES(
				[
					'papaparse',
					'read-excel-file',
					'read-excel-file/*',
					'write-excel-file',
					'write-excel-file/*'
				],
				'The file format libraries load on demand: import() them inside the function that needs them.'
			),
			...[
				'model',
				'sync',
				'engine',
				'reactive',
				'screens',
				'components',
				'editor',
				'photos',
				'map'
			].map(layer),
			ROUTES
		]
	],
	[['src/lib/reactive/**/*.ts'], [...['screens', 'components'].map(layer), ROUTES]],
	[
		['src/lib/{photos,editor,map}/**/*.{ts,svelte}'],
		[...['screens', 'components'].map(layer), ROUTES]
	],
	[['src/lib/screens/**/*.ts'], [...['components'].map(layer), ROUTES]],
	[['src/lib/components/**/*.{ts,svelte}'], [ROUTES]],
	[
		['sync-server/**/*.ts'],
		[
			{
				regex: '^(?!.*/src/lib/wire/[a-z0-9-]+\\.ts$).*(^|/)src/',
				message: 'The relay imports nothing of src/ but the wire contract (src/lib/wire/*.ts).'
			},
			{ regex: '^\\$(lib|app)(/|$)', message: "The relay does not use the app's aliases." }
		]
	]
];

function importRules() {
	return LAYERS.map(([files, patterns]) => ({
		files,
		rules: { 'no-restricted-imports': ['error', { patterns }] }
	}));
}

export default ts.config(
	{
		ignores: [
			'build/',
			'.svelte-kit/',
			'src/lib/paraglide/',
			'node_modules/',
			'test-results/',
			'playwright-report/'
		]
	},
	js.configs.recommended,
	...ts.configs.recommended,
	...svelte.configs.recommended,
	{
		languageOptions: {
			globals: { ...globals.browser, ...globals.node, __APP_VERSION__: 'readonly' }
		}
	},
	{
		files: ['**/*.svelte', '**/*.svelte.ts'],
		languageOptions: {
			parserOptions: {
				projectService: true,
				extraFileExtensions: ['.svelte'],
				parser: ts.parser,
				svelteConfig
			}
		}
	},
	...importRules(),
	{
		rules: {
			'@typescript-eslint/no-unused-vars': [
				'error',
				{ argsIgnorePattern: '^_', varsIgnorePattern: '^_' }
			]
		}
	}
);
