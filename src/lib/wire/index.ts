/**
 * The wire contract between the app and the relay, in one place: document names (grammar,
 * builders, parser), the access matrix, message types, close codes, the write rules inside documents and attested authorship, the HTTP API's refusal reasons
 * and presence freshness.
 *
 * Invariant: pure TypeScript with no imports but its own files, each named with its `.ts`
 * extension, so the relay (Node type stripping) imports it by relative path and the app through
 * `$lib/wire`. ESLint keeps it that way, and keeps the relay from importing anything else of src/.
 */
export * from './access.ts';
export * from './api-reasons.ts';
export * from './attestation.ts';
export * from './close-codes.ts';
export * from './doc-names.ts';
export * from './messages.ts';
export * from './presence.ts';
export * from './write-rules.ts';
