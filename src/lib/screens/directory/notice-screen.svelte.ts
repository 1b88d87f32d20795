/**
 * The secretary's notice board screen for one grid: the team drafted from the community's roster
 * (who is on it, each one's duty), the service hours, a preview of exactly the snapshot that
 * would be published, publishing and withdrawing, and the poster's facts.
 *
 * Invariants:
 * - The preview is the snapshot `publish()` sends, checked by the wire's `parseNoticeSnapshot`
 *   (the relay's own check): what the secretary sees is what residents will see.
 * - A phone is in the snapshot only for a member who agreed to show it (the relay's consent list,
 *   `phones`), and only that number; members decide it themselves (NoticePhoneScreen).
 * - Nothing of a document is sent but the grid's and community's names.
 */
import { DEFAULT_DUTY_BY_ROLE, type NoticeDuty } from '$lib/domain/notice-duties';
import type { RosterMember } from '$lib/domain/assignees';
import type { ApiFailure, ApiResult } from '$lib/sync/auth-api';
import type { NoticeApi, NoticeInfo } from '$lib/sync/notice-api';
import type { TokenManager } from '$lib/sync/token-manager';
import { withToken } from '$lib/sync/with-token';
import { canAdminister } from '$lib/wire';
import { parseNoticeSnapshot, type NoticeRefusal, type NoticeSnapshot } from '$lib/wire/notice';

export type NoticeSource = Readonly<{
	api: Pick<NoticeApi, 'listNotices' | 'publishNotice' | 'withdrawNotice'>;
	tokens: Pick<TokenManager, 'get' | 'fresh'> | null;
	communityId: string;
	gridId: string;
	role: string;
	/** The community's name (from the membership). */
	communityName: () => string;
	/** The grid's name from the directory, or null while it is unknown. */
	gridName: () => string | null;
	/** The community's members (the roster), or null before any list arrived. */
	roster: () => readonly RosterMember[] | null;
	/** A duty's words in the active language. */
	dutyLabel: (duty: NoticeDuty) => string;
}>;

export type Candidate = Readonly<{
	id: string;
	name: string;
	role: string;
	/** Of this grid (a grid member scoped to it). */
	ofGrid: boolean;
	/** The phone this member agreed to show, or null. */
	phone: string | null;
}>;

export type PreviewResult =
	{ ok: true; value: NoticeSnapshot } | { ok: false; reason: NoticeRefusal | 'grid_unknown' };

export class NoticeScreen {
	readonly #source: NoticeSource;
	#loaded = $state<'loading' | 'ready' | ApiFailure>('loading');
	#phones = $state.raw<Readonly<Record<string, string>>>({});
	#published = $state.raw<NoticeInfo | null>(null);
	/** The draft: who is on the team (in order) and each one's duty; the hours. */
	team = $state<{ id: string; duty: string }[]>([]);
	hours = $state('');
	#drafted = false;

	constructor(source: NoticeSource) {
		this.#source = source;
	}

	get mayPublish(): boolean {
		return canAdminister(this.#source.role);
	}

	get state(): 'loading' | 'ready' | ApiFailure {
		return this.#loaded;
	}

	get published(): NoticeInfo | null {
		return this.#published;
	}

	/** Everyone who could be on the team: the grid's own members first, then the rest by name. */
	get candidates(): readonly Candidate[] {
		const roster = this.#source.roster() ?? [];
		return roster
			.map((member) => ({
				id: member.id,
				name: member.displayName,
				role: member.role ?? '',
				ofGrid: member.role === 'grid-member' && (member.grids ?? []).includes(this.#source.gridId),
				phone: this.#phones[member.id] ?? null
			}))
			.sort((a, b) => Number(b.ofGrid) - Number(a.ofGrid) || a.name.localeCompare(b.name, 'zh-CN'));
	}

	isOnTeam(memberId: string): boolean {
		return this.team.some((entry) => entry.id === memberId);
	}

	/** Puts a member on the team (with their role's usual duty) or takes them off. */
	toggle(memberId: string, on: boolean): void {
		if (!on) {
			this.team = this.team.filter((entry) => entry.id !== memberId);
			return;
		}
		if (this.isOnTeam(memberId)) return;
		const role = this.candidates.find((c) => c.id === memberId)?.role ?? '';
		this.team = [...this.team, { id: memberId, duty: this.#defaultDuty(role) }];
	}

	setDuty(memberId: string, duty: string): void {
		this.team = this.team.map((entry) => (entry.id === memberId ? { ...entry, duty } : entry));
	}

	/** Exactly the snapshot publishing would send, checked as the relay checks it. */
	get preview(): PreviewResult {
		const grid = this.#source.gridName();
		if (grid === null) return { ok: false, reason: 'grid_unknown' };
		const candidates = this.candidates;
		const find = (id: string) => candidates.find((c) => c.id === id);
		return parseNoticeSnapshot({
			community: this.#source.communityName(),
			grid,
			hours: this.hours,
			team: this.team
				.filter((entry) => find(entry.id) !== undefined)
				.map((entry) => {
					const member = find(entry.id)!;
					return member.phone
						? { memberId: entry.id, name: member.name, duty: entry.duty, phone: member.phone }
						: { memberId: entry.id, name: member.name, duty: entry.duty };
				})
		});
	}

	/** Reads the live notice and the consents; the first time, opens the draft from the notice. */
	async load(): Promise<void> {
		if (!this.mayPublish) return;
		const result = await this.#call((token) =>
			this.#source.api.listNotices(token, this.#source.communityId)
		);
		if (!result.ok) {
			this.#loaded = result.reason;
			return;
		}
		this.#phones = result.value.phones;
		this.#published = result.value.notices.find((n) => n.gridId === this.#source.gridId) ?? null;
		if (!this.#drafted) this.#openDraft();
		this.#loaded = 'ready';
	}

	async publish(): Promise<ApiResult<NoticeInfo> | PreviewResult> {
		const preview = this.preview;
		if (!preview.ok) return preview;
		const result = await this.#call((token) =>
			this.#source.api.publishNotice(
				token,
				this.#source.communityId,
				this.#source.gridId,
				preview.value
			)
		);
		if (!result.ok) return result;
		this.#published = result.value.notice;
		return { ok: true, value: result.value.notice };
	}

	async withdraw(): Promise<ApiResult<null>> {
		const result = await this.#call((token) =>
			this.#source.api.withdrawNotice(token, this.#source.communityId, this.#source.gridId)
		);
		if (!result.ok) return result;
		this.#published = null;
		return { ok: true, value: null };
	}

	#openDraft(): void {
		this.#drafted = true;
		const notice = this.#published;
		if (notice) {
			this.team = notice.snapshot.team.map((m) => ({ id: m.memberId, duty: m.duty }));
			this.hours = notice.snapshot.hours;
			return;
		}
		this.team = this.candidates
			.filter((c) => c.ofGrid)
			.map((c) => ({ id: c.id, duty: this.#defaultDuty(c.role) }));
	}

	#defaultDuty(role: string): string {
		const duty = DEFAULT_DUTY_BY_ROLE[role];
		return duty ? this.#source.dutyLabel(duty) : '';
	}

	#call<T>(fn: (token: string) => Promise<ApiResult<T>>): Promise<ApiResult<T>> {
		return withToken(this.#source.tokens, fn);
	}
}
