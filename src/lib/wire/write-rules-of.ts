/**
 * Which write rules a document follows, by kind (write-rules.ts describes the language).
 *
 * Invariant: one rule set per document kind; `null` only for a kind whose contents the relay
 * does not check yet (it still attests authorship there).
 */
import type { DocRules, WriteTarget } from './write-rules.ts';
import { BOARD_RULES } from './write-rules-board.ts';
import { MAP_RULES } from './write-rules-map.ts';

export function writeRulesOf(target: WriteTarget): DocRules | null {
	switch (target.kind) {
		case 'board':
			return BOARD_RULES;
		case 'map':
			return MAP_RULES;
		default:
			return null;
	}
}
