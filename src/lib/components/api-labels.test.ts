/**
 * Every API failure has a sentence in both languages: each reason the relay refuses with (the
 * wire's list) and each the device names itself, with no code shown as it came.
 */
import { describe, expect, it } from 'vitest';
import { API_REASONS } from '$lib/wire';
import { API_FAILURES, apiFailureText } from './api-labels';

type Message = (inputs: object, options: { locale: 'en' | 'zh-CN' }) => string;
const LOCAL = ['offline', 'unreadable', 'signed_out', 'destroyed'];

describe('API failure texts', () => {
	it('cover the wire reasons and the local ones, nothing else', () => {
		expect(Object.keys(API_FAILURES).sort()).toEqual([...API_REASONS, ...LOCAL].sort());
	});

	it.each(['en', 'zh-CN'] as const)('are a sentence in %s for every failure', (locale) => {
		const seen = new Map<string, string>();
		for (const [reason, text] of Object.entries(API_FAILURES)) {
			const sentence = (text as unknown as Message)({}, { locale });
			expect(sentence.trim(), reason).not.toBe('');
			expect(sentence, reason).not.toContain(reason);
			expect(sentence, reason).not.toMatch(/api_error_/);
			if (locale === 'zh-CN') expect(sentence, reason).toMatch(/[\u4e00-\u9fff]/);
			else expect(sentence, reason).toMatch(/^[\x20-\x7e’–]+$/);
			seen.set(reason, sentence);
		}
		expect(seen.size).toBe(API_REASONS.length + LOCAL.length);
	});

	it('apiFailureText reads the map', () => {
		expect(apiFailureText('member_removed')).toBe(API_FAILURES.member_removed());
	});
});
