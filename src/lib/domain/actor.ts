/**
 * Actor: who did something and on which device; stamped on every edit and timeline entry.
 *
 * Invariant: plain data only; identity and trust are the relay's business, not the actor's.
 */

export type Actor = Readonly<{ name: string; deviceId: string }>;
