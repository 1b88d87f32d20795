/**
 * The work aggregate's public face: everything outside model/ imports from here.
 *
 * Invariant: this module adds no behaviour of its own.
 */

export * from './patrols';
export * from './readers';
export * from './reasons';
export * from './schema';
export * from './service-hours';
export * from './summary';
export * from './tasks';
export * from './wishes';
export { workMember, type WorkItemBase, type WorkNote, type WorkReport } from './work-item';
