/**
 * Attested authorship: which member the relay authenticated for each Yjs client id that wrote
 * into a document. The relay writes it, into the document itself, under the root map
 * `ATTESTATION_ROOT` (write-rules.ts), which no client may write:
 *
 *   attest: Y.Map { "<clientID>" → { member: "<memberId>", from: <clock> } }
 *
 * The structs of client `clientID` with clock ≥ `from` reached the relay over a connection
 * authenticated as `member` (`from` is 0 unless the client id already had content when it was
 * first attested: content written before attestation existed). The relay's own client ids are
 * attested as `RELAY_MEMBER`. Because it is document content, it syncs, survives compaction
 * and export, and a device reads it offline.
 *
 * Invariant: an attestation is written once per client id and never changed; a client id
 * attested to one member never carries another member's content (the relay refuses it:
 * `foreign_client`).
 */

export type Attestation = Readonly<{ member: string; from: number }>;

/** The member of the relay's own writes (the attestations themselves). */
export const RELAY_MEMBER = '~relay';

export function parseAttestation(value: unknown): Attestation | null {
	if (typeof value !== 'object' || value === null) return null;
	const { member, from } = value as Record<string, unknown>;
	if (typeof member !== 'string' || member === '') return null;
	if (typeof from !== 'number' || !Number.isInteger(from) || from < 0) return null;
	return { member, from };
}

/** The member attested for the struct at `clock` of a client, or null when none is. */
export function attestedMember(attestation: Attestation | null, clock: number): string | null {
	return attestation !== null && clock >= attestation.from ? attestation.member : null;
}
