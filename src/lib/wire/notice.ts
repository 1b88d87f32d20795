/**
 * A grid's public notice board, as it travels: the snapshot the secretary publishes
 * (`PUT /api/communities/:cid/notices/:gridId`) and the relay serves without a token at
 * `/n/:token` (docs/access.md, "Public notice board").
 *
 *   NoticeSnapshot = {
 *     community: string   the community's name        1..NOTICE_LIMITS.name chars
 *     grid:      string   the grid's name             1..NOTICE_LIMITS.name chars
 *     hours:     string   service hours, free text    0..NOTICE_LIMITS.hours chars
 *     team: [ { memberId, name, duty, phone? } ]     1..NOTICE_LIMITS.team entries
 *   }
 *
 * `phone` is present only for a member who agreed to show it, and only as that member agreed
 * (the relay checks it against the member's consent at publish and again at every read).
 *
 * Invariant: `parseNoticeSnapshot` accepts exactly this shape: no extra field at any level,
 * strings only where strings go, trimmed and within their limits, phones in the normalised form
 * `parsePhone` (src/lib/domain/household.ts) produces. The app validates with it before sending
 * and the relay refuses anything it refuses; nothing else of a document ever reaches the relay
 * this way.
 */
export const NOTICE_LIMITS = {
	name: 60,
	duty: 20,
	hours: 80,
	team: 30,
	/** Most bytes of a publish request's JSON body. */
	bodyBytes: 8 * 1024
} as const;

export type NoticeMember = Readonly<{
	memberId: string;
	name: string;
	duty: string;
	phone?: string;
}>;

export type NoticeSnapshot = Readonly<{
	community: string;
	grid: string;
	hours: string;
	team: readonly NoticeMember[];
}>;

/** A published notice: its snapshot, its public token and when it was published (epoch ms). */
export type PublishedNotice = Readonly<{
	gridId: string;
	token: string;
	publishedAt: number;
	snapshot: NoticeSnapshot;
}>;

export type NoticeRefusal =
	| 'not_object'
	| 'extra_field'
	| 'missing_field'
	| 'wrong_type'
	| 'too_long'
	| 'empty'
	| 'bad_phone'
	| 'bad_member'
	| 'duplicate_member';

/** A public notice's token: 22 url-safe characters (128 random bits), unguessable. */
export const NOTICE_TOKEN = /^[A-Za-z0-9_-]{22}$/;

/** A member id as the relay issues them. */
const MEMBER_ID = /^[a-z0-9]{1,64}$/;

/** A phone number in `parsePhone`'s normalised form: a mobile, or a landline with area code. */
export function isNoticePhone(value: string): boolean {
	return /^1[3-9]\d{9}$/.test(value) || /^0\d{2,3}-\d{7,8}(?:-\d{1,6})?$/.test(value);
}

type Parsed = { ok: true; value: NoticeSnapshot } | { ok: false; reason: NoticeRefusal };

class Refused extends Error {
	readonly reason: NoticeRefusal;
	constructor(reason: NoticeRefusal) {
		super(reason);
		this.reason = reason;
	}
}

function object(value: unknown, keys: readonly string[], optional: readonly string[] = []) {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw new Refused('not_object');
	}
	const record = value as Record<string, unknown>;
	for (const key of Object.keys(record)) {
		if (!keys.includes(key) && !optional.includes(key)) throw new Refused('extra_field');
	}
	for (const key of keys) if (!(key in record)) throw new Refused('missing_field');
	return record;
}

function text(value: unknown, max: number, required: boolean): string {
	if (typeof value !== 'string') throw new Refused('wrong_type');
	const trimmed = value.trim();
	if (trimmed.length > max) throw new Refused('too_long');
	if (required && trimmed.length === 0) throw new Refused('empty');
	return trimmed;
}

/** The snapshot in `value`, checked whole, or the first reason it is refused. */
export function parseNoticeSnapshot(value: unknown): Parsed {
	try {
		const record = object(value, ['community', 'grid', 'hours', 'team']);
		const community = text(record.community, NOTICE_LIMITS.name, true);
		const grid = text(record.grid, NOTICE_LIMITS.name, true);
		const hours = text(record.hours, NOTICE_LIMITS.hours, false);
		if (!Array.isArray(record.team)) throw new Refused('wrong_type');
		if (record.team.length > NOTICE_LIMITS.team) throw new Refused('too_long');
		if (record.team.length === 0) throw new Refused('empty');
		const seen = new Set<string>();
		const team = record.team.map((entry: unknown): NoticeMember => {
			const member = object(entry, ['memberId', 'name', 'duty'], ['phone']);
			if (typeof member.memberId !== 'string') throw new Refused('wrong_type');
			if (!MEMBER_ID.test(member.memberId)) throw new Refused('bad_member');
			if (seen.has(member.memberId)) throw new Refused('duplicate_member');
			seen.add(member.memberId);
			const name = text(member.name, NOTICE_LIMITS.name, true);
			const duty = text(member.duty, NOTICE_LIMITS.duty, true);
			if (member.phone === undefined)
				return Object.freeze({ memberId: member.memberId, name, duty });
			if (typeof member.phone !== 'string') throw new Refused('wrong_type');
			if (!isNoticePhone(member.phone)) throw new Refused('bad_phone');
			return Object.freeze({ memberId: member.memberId, name, duty, phone: member.phone });
		});
		return {
			ok: true,
			value: Object.freeze({ community, grid, hours, team: Object.freeze(team) })
		};
	} catch (error) {
		if (error instanceof Refused) return { ok: false, reason: error.reason };
		throw error;
	}
}
