import { describe, expect, it } from 'vitest';
import {
	parseMeetingId,
	applyMeetingAction,
	isMeetingId,
	meetingDocName,
	meetingIndexDocName,
	newMeetingId,
	validateMeetingInput,
	type MeetingAction,
	meetingControls,
	type MeetingStatus
} from './meeting-rules';
import { matchesMeetingSearch } from './meeting-search';

describe('meeting lifecycle', () => {
	it.each<[MeetingStatus, MeetingAction, string]>([
		['planned', 'start', 'in_progress'],
		['planned', 'finish', 'not_started'],
		['in_progress', 'finish', 'finished'],
		['in_progress', 'start', 'already_started'],
		['finished', 'start', 'meeting_finished'],
		['finished', 'finish', 'meeting_finished']
	])('%s + %s → %s', (from, action, expected) => {
		const result = applyMeetingAction(from, action);
		expect(result.ok ? result.value : result.reason).toBe(expected);
	});
});

describe('validateMeetingInput', () => {
	const base = { title: ' 楼下议事 ', type: 'tea_party', startsAt: 1_700_000_000_000 };
	it.each([
		['a valid meeting is trimmed', base, { ok: true }],
		['title required', { ...base, title: '  ' }, { reason: 'title_required' }],
		[
			'title of 121 Chinese characters',
			{ ...base, title: '议'.repeat(121) },
			{ reason: 'title_too_long' }
		],
		['title of 120 Chinese characters', { ...base, title: '议'.repeat(120) }, { ok: true }],
		['unknown type', { ...base, type: 'party' }, { reason: 'type_invalid' }],
		['no time', { ...base, startsAt: Number.NaN }, { reason: 'time_invalid' }],
		['bad grid id', { ...base, gridId: '../x' }, { reason: 'grid_invalid' }]
	])('%s', (_name, input, expected) => {
		expect(validateMeetingInput(input)).toMatchObject(expected);
	});
	it('trims and fills defaults', () => {
		const result = validateMeetingInput(base);
		expect(result.ok && result.value).toEqual({
			title: '楼下议事',
			type: 'tea_party',
			startsAt: base.startsAt,
			place: '',
			gridId: '',
			agenda: ''
		});
	});
});

describe('meeting ids and document names', () => {
	it('never names the index', () => {
		const id = newMeetingId();
		expect(isMeetingId(id)).toBe(true);
		expect(isMeetingId('index')).toBe(false);
		expect(meetingDocName('yucheng', id)).toBe(`c/yucheng/meetings/${id}`);
		expect(meetingIndexDocName('yucheng')).toBe('c/yucheng/meetings/index');
	});
});

describe('matchesMeetingSearch', () => {
	const meeting = {
		title: '三方协商：电梯维保报价',
		agenda: '报价争议',
		place: '社区会议室',
		attendees: [{ name: '张经理', organisation: '恒安物业' }]
	};
	it.each([
		['', true],
		['电梯', true],
		['物业 会议室', true],
		['恒安', true],
		['停车', false],
		['电梯 停车', false]
	])('%j → %s', (query, expected) => {
		expect(matchesMeetingSearch(meeting, query)).toBe(expected);
	});
});

describe('meetingControls', () => {
	it('offers start while planned, finish (not beside start) only once started', () => {
		expect(meetingControls('planned', 3)).toEqual({
			canStart: true,
			canFinish: false,
			finishWarnsNoAttendees: false
		});
		expect(meetingControls('in_progress', 3)).toEqual({
			canStart: false,
			canFinish: true,
			finishWarnsNoAttendees: false
		});
		expect(meetingControls('finished', 3)).toEqual({
			canStart: false,
			canFinish: false,
			finishWarnsNoAttendees: false
		});
	});
	it('asks before locking a started meeting nobody is recorded as attending', () => {
		expect(meetingControls('in_progress', 0).finishWarnsNoAttendees).toBe(true);
		expect(meetingControls('planned', 0).finishWarnsNoAttendees).toBe(false);
	});
});

describe('parseMeetingId', () => {
	it('reads a meeting id and refuses anything else', () => {
		expect(parseMeetingId('m-abc123')).toEqual({ ok: true, value: 'm-abc123' });
		expect(parseMeetingId('index')).toEqual({ ok: false, reason: 'invalid_id' });
		expect(parseMeetingId('m-a/b')).toEqual({ ok: false, reason: 'invalid_id' });
	});
});
