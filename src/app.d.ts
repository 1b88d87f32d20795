// See https://svelte.dev/docs/kit/types#app.d.ts
declare global {
	/** package.json's version, injected at build time. */
	const __APP_VERSION__: string;

	namespace App {
		// interface Error {}
		// interface Locals {}
		// interface PageData {}
		// interface PageState {}
		// interface Platform {}
	}
}

export {};
