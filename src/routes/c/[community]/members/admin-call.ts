/** The secretary's calls use the shared token retry (src/lib/sync/with-token.ts). */
export { withToken } from '$lib/sync/with-token';
