/**
 * The relay's side of a contract test: a copy of one document as the relay holds it, and phones
 * that write to it. Each write runs on a fresh phone (a new Yjs client) that holds what the relay
 * holds; what it wrote is checked by the relay's guard (sync-server/write-guard.ts) against the
 * document's rules and applied to the copy when accepted.
 *
 * Invariant: test-only; the copy only ever holds accepted updates.
 */
import * as Y from 'yjs';
import type { DocRules, WriteTarget, Writer } from '../../src/lib/wire';
import { checkUpdate, type GuardVerdict } from '../../sync-server/write-guard';

export type Phone = Readonly<{
	doc: Y.Doc;
	/** Checks what the phone wrote since it opened; applies it to the relay's copy when accepted. */
	send: (writer: Writer) => GuardVerdict;
}>;

export type RelayCopy = Readonly<{
	doc: Y.Doc;
	open: () => Phone;
	/** Runs `fn` on a fresh phone and sends what it wrote as `writer`. */
	write: (writer: Writer, fn: (phone: Y.Doc) => void) => GuardVerdict;
}>;

export function relayCopy(rules: DocRules, target: WriteTarget): RelayCopy {
	const relay = new Y.Doc();
	const open = (): Phone => {
		const phone = new Y.Doc();
		Y.applyUpdate(phone, Y.encodeStateAsUpdate(relay));
		const before = Y.encodeStateVector(relay);
		return {
			doc: phone,
			send(writer) {
				const update = Y.encodeStateAsUpdate(phone, before);
				const verdict = checkUpdate(relay, Y.decodeUpdate(update), rules, writer, target);
				if (verdict.ok) Y.applyUpdate(relay, update);
				return verdict;
			}
		};
	};
	return {
		doc: relay,
		open,
		write(writer, fn) {
			const phone = open();
			fn(phone.doc);
			return phone.send(writer);
		}
	};
}

/** Writers of each role, as the relay knows them from their tokens. */
export const WRITERS = {
	secretary: { memberId: 'm-li', name: '李书记', role: 'secretary', grids: [] },
	gridMember: { memberId: 'm-wang', name: '王网格员', role: 'grid-member', grids: ['g1'] },
	volunteer: { memberId: 'm-zhao', name: '赵志愿者', role: 'volunteer', grids: [] },
	volunteer2: { memberId: 'm-qian', name: '钱阿姨', role: 'volunteer', grids: [] },
	observer: { memberId: 'm-obs', name: '街道', role: 'observer', grids: [] }
} as const satisfies Record<string, Writer>;

/** The command context of `writer` (claimed role `role`, by default the writer's own) at `at`. */
export function contextOf(writer: Writer, at: number, role: string = writer.role) {
	return {
		actor: { name: writer.name, deviceId: `phone-${writer.memberId}` },
		authority: {
			claims: { cid: 'demo', role, grids: [...writer.grids] },
			memberId: writer.memberId
		},
		at
	};
}

/** Writes to the relay's own attestation root, which no client may do. */
export function writeAttestation(phone: Y.Doc): void {
	phone.getMap('attest').set(String(phone.clientID), { member: 'm-li', from: 0 });
}
