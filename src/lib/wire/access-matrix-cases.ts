/**
 * The matrix of docs/access.md written out cell by cell, as the tests' expectation: the app's
 * reading (access.test.ts) and the relay's enforcement (sync-server/auth.test.ts) are checked
 * against this one table. The grid member owns g1 only.
 */
import type { Access, Role } from './access.ts';

export const ACCESS_MATRIX_CASES: [docName: string, expected: Record<Role, Access>][] = [
	[
		'c/demo/directory',
		{ secretary: 'write', 'grid-member': 'read', volunteer: 'read', observer: 'read' }
	],
	[
		'c/demo/board/g1',
		{ secretary: 'write', 'grid-member': 'write', volunteer: 'write', observer: 'read' }
	],
	[
		'c/demo/board/g2',
		{ secretary: 'write', 'grid-member': 'read', volunteer: 'write', observer: 'read' }
	],
	[
		'c/demo/households/g1',
		{ secretary: 'write', 'grid-member': 'write', volunteer: 'none', observer: 'none' }
	],
	[
		'c/demo/households/g2',
		{ secretary: 'write', 'grid-member': 'none', volunteer: 'none', observer: 'none' }
	],
	[
		'c/demo/tasks',
		{ secretary: 'write', 'grid-member': 'write', volunteer: 'write', observer: 'read' }
	],
	[
		'c/demo/meetings/m1',
		{ secretary: 'write', 'grid-member': 'write', volunteer: 'read', observer: 'read' }
	],
	['c/demo/map', { secretary: 'write', 'grid-member': 'read', volunteer: 'read', observer: 'read' }]
];
