/**
 * Result: how domain rules and model commands report success or a refusal.
 *
 * Invariant: a refusal carries a string-literal `reason` the UI can translate; rules and
 * commands never throw for an expected refusal. Results are frozen.
 */

export type Ok<T> = Readonly<{ ok: true; value: T }>;
export type Err<R extends string> = Readonly<{ ok: false; reason: R }>;
export type Result<T, R extends string> = Ok<T> | Err<R>;

export function ok<T>(value: T): Ok<T> {
	return Object.freeze({ ok: true, value });
}

export function err<R extends string>(reason: R): Err<R> {
	return Object.freeze({ ok: false, reason });
}
