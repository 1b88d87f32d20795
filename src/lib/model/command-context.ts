/**
 * The one context every model command takes after its document and arguments: who acts (stamped
 * on the edit), what they may do (checked by the command before it writes), and when (tests pin
 * it; the app leaves it out and the command reads the clock once).
 *
 * Invariant: a command never writes with an authority it has not checked; a refused command
 * writes nothing and says why in its result.
 */

import type { AccessClaims } from '../wire/access';
import type { Actor } from '../domain/actor';

/**
 * What the acting member may do, for the role checks: their claims (community, role, grids) and
 * their member id (claims and service hours are the member's, not the device's).
 */
export type Authority = Readonly<{ claims: AccessClaims; memberId: string }>;

export type CommandContext<A = Authority> = Readonly<{
	actor: Actor;
	authority: A;
	at?: number;
}>;

/** The moment a command records: the context's `at`, or now. Read once per command. */
export function commandTime(context: CommandContext<unknown>): number {
	return context.at ?? Date.now();
}
