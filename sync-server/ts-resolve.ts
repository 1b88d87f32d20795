/**
 * A Node resolve hook for the scripts that run the app's own model outside Vite (`npm run
 * demo`, `npm run bench:board`): the model and domain modules import without file extensions
 * (Vite resolves them), so a relative, extensionless import from `src/lib/` gets `.ts` appended.
 * Import this module first, then import the model dynamically. The relay itself never needs it:
 * it imports only the wire contract (src/lib/wire/), whose imports carry their extensions.
 */
import { registerHooks } from 'node:module';

const SRC = new URL('../src/lib/', import.meta.url).href;

registerHooks({
	resolve(specifier, context, nextResolve) {
		const relative = specifier.startsWith('./') || specifier.startsWith('../');
		if (relative && context.parentURL?.startsWith(SRC) && !/\.[a-z]+$/.test(specifier)) {
			return nextResolve(`${specifier}.ts`, context);
		}
		return nextResolve(specifier, context);
	}
});
