/**
 * The meeting aggregate's public face: everything outside model/ imports from here.
 *
 * Invariant: this module adds no behaviour of its own.
 */

export * from './commands';
export * from './follow-ups';
export * from './readers';
export * from './record';
export * from './schema';
