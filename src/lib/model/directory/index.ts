/**
 * The directory aggregate's public face: everything outside model/ imports from here.
 *
 * Invariant: this module adds no behaviour of its own.
 */

export * from './directory';
export * from './settings';
