/**
 * Which write rules a document follows, by kind (write-rules.ts describes the language).
 *
 * Invariant: one rule set per document kind (the meetings kind: one for its index, one for a
 * meeting's record); every kind's contents are checked.
 */
import type { DocRules, WriteTarget } from './write-rules.ts';
import { BOARD_RULES } from './write-rules-board.ts';
import { DIRECTORY_RULES } from './write-rules-directory.ts';
import { HOUSEHOLDS_RULES } from './write-rules-households.ts';
import { MAP_RULES } from './write-rules-map.ts';
import { meetingRules } from './write-rules-meetings.ts';
import { TASKS_RULES } from './write-rules-tasks.ts';

export function writeRulesOf(target: WriteTarget): DocRules {
	switch (target.kind) {
		case 'board':
			return BOARD_RULES;
		case 'directory':
			return DIRECTORY_RULES;
		case 'tasks':
			return TASKS_RULES;
		case 'meetings':
			return meetingRules(target);
		case 'households':
			return HOUSEHOLDS_RULES;
		case 'map':
			return MAP_RULES;
	}
}
