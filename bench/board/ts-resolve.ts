/**
 * Lets Node's type stripping load the app's model modules, which import without file extensions
 * (Vite resolves them): a relative, extensionless import from `src/lib/` gets `.ts` appended.
 * Import this module first, then import the model dynamically.
 */
import { registerHooks } from 'node:module';

const SRC = new URL('../../src/lib/', import.meta.url).href;

registerHooks({
	resolve(specifier, context, nextResolve) {
		const relative = specifier.startsWith('./') || specifier.startsWith('../');
		if (relative && context.parentURL?.startsWith(SRC) && !/\.[a-z]+$/.test(specifier)) {
			return nextResolve(`${specifier}.ts`, context);
		}
		return nextResolve(specifier, context);
	}
});
