import { describe, expect, it } from 'vitest';
import { mediationSuccessRate } from './mediation-rate';
import type { MediationOutcome, MeetingType } from './meeting-rules';

const m = (type: MeetingType, mediationOutcome: MediationOutcome = 'pending') => ({
	type,
	mediationOutcome
});

describe('mediationSuccessRate', () => {
	it.each([
		['no meetings', [], { sessions: 0, decided: 0, agreed: 0, rate: null }],
		[
			'only pending sessions',
			[m('mediation'), m('mediation')],
			{ sessions: 2, decided: 0, agreed: 0, rate: null }
		],
		['one agreed', [m('mediation', 'agreed')], { sessions: 1, decided: 1, agreed: 1, rate: 1 }],
		['one failed', [m('mediation', 'not_agreed')], { sessions: 1, decided: 1, agreed: 0, rate: 0 }],
		[
			'pending sessions are left out of the rate',
			[m('mediation', 'agreed'), m('mediation', 'not_agreed'), m('mediation')],
			{ sessions: 3, decided: 2, agreed: 1, rate: 0.5 }
		],
		[
			'other meeting types never count, even with an outcome set',
			[m('tea_party', 'agreed'), m('grid_meeting', 'not_agreed'), m('mediation', 'agreed')],
			{ sessions: 1, decided: 1, agreed: 1, rate: 1 }
		],
		[
			'91 of 100 is 91%',
			[
				...Array.from({ length: 91 }, () => m('mediation', 'agreed')),
				...Array.from({ length: 9 }, () => m('mediation', 'not_agreed'))
			],
			{ sessions: 100, decided: 100, agreed: 91, rate: 0.91 }
		]
	])('%s', (_name, meetings, expected) => {
		expect(mediationSuccessRate(meetings)).toEqual(expected);
	});
});
