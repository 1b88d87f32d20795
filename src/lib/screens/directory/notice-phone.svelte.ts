/**
 * A member's own consent to show a phone number on the community's public notices: what the
 * relay holds (`agreed`), a draft of the number, and saving or withdrawing it.
 *
 * Invariant: only a number `parsePhone` accepts is ever sent; withdrawing sends null, and the
 * relay then takes the number off every public notice at once.
 */
import { parsePhone, type PhoneReason } from '$lib/domain/household';
import type { ApiFailure, ApiResult } from '$lib/sync/auth-api';
import type { NoticeApi } from '$lib/sync/notice-api';
import type { TokenManager } from '$lib/sync/token-manager';
import { withToken } from '$lib/sync/with-token';

export type NoticePhoneSource = Readonly<{
	api: Pick<NoticeApi, 'noticePhone'>;
	tokens: Pick<TokenManager, 'get' | 'fresh'> | null;
	communityId: string;
}>;

export type NoticePhoneResult =
	| { ok: true; value: string | null }
	| { ok: false; reason: ApiFailure | PhoneReason | 'phone_required' };

export class NoticePhoneScreen {
	readonly #source: NoticePhoneSource;
	#agreed = $state<string | null | undefined>(undefined);
	#failure = $state<ApiFailure | null>(null);
	draft = $state('');

	constructor(source: NoticePhoneSource) {
		this.#source = source;
	}

	/** The number shown on notices; null: none; undefined: not known yet. */
	get agreed(): string | null | undefined {
		return this.#agreed;
	}

	get failure(): ApiFailure | null {
		return this.#failure;
	}

	async load(): Promise<void> {
		const result = await this.#call((token) =>
			this.#source.api.noticePhone(token, this.#source.communityId)
		);
		this.#failure = result.ok ? null : result.reason;
		if (result.ok) {
			this.#agreed = result.value.phone;
			if (this.draft === '') this.draft = result.value.phone ?? '';
		}
	}

	/** Agrees to show the draft's number. */
	agree(): Promise<NoticePhoneResult> {
		const parsed = parsePhone(this.draft);
		if (!parsed.ok) return Promise.resolve({ ok: false, reason: parsed.reason });
		if (parsed.value === '') return Promise.resolve({ ok: false, reason: 'phone_required' });
		return this.#save(parsed.value);
	}

	/** Withdraws the consent: no number on any notice. */
	withdraw(): Promise<NoticePhoneResult> {
		return this.#save(null);
	}

	async #save(phone: string | null): Promise<NoticePhoneResult> {
		const result = await this.#call((token) =>
			this.#source.api.noticePhone(token, this.#source.communityId, phone)
		);
		if (!result.ok) return result;
		this.#agreed = result.value.phone;
		this.draft = result.value.phone ?? '';
		return { ok: true, value: result.value.phone };
	}

	#call<T>(fn: (token: string) => Promise<ApiResult<T>>): Promise<ApiResult<T>> {
		return withToken(this.#source.tokens, fn);
	}
}
