/**
 * Message types of /sync/<docName>: the y-websocket protocol plus Gridboard's three messages. The
 * byte layouts are drawn in sync-server/protocol.ts (the relay's codec) and sync-server/PROTOCOL.md.
 *
 *   0    sync: step 1 (state vector), step 2 (update), update       both ways
 *   1    awareness (y-protocols)                                     both ways
 *   3    query awareness                                             client → relay
 *   100  persisted: `[100]` subscribes; `[100, varBytes(state vector)]` says all of it is on
 *        the relay's disk                                            both ways
 *   101  writes refused: `[101, varUint(count)]`, a read-only connection's writes were dropped
 *                                                                    relay → client
 *   102  update refused: `[102, varUint(count), varString(reason), varString(path)]`, an update
 *        broke the document's write rules (write-rules.ts) and was neither stored nor
 *        forwarded; `count` refusals so far on this connection, `reason` a WriteRefusal,
 *        `path` where in the document (`cases/<id>/fields/status~<client>`)  relay → client
 */

export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
export const MESSAGE_QUERY_AWARENESS = 3;
export const MESSAGE_PERSISTED = 100;
export const MESSAGE_WRITES_REFUSED = 101;
export const MESSAGE_UPDATE_REFUSED = 102;

/** The second varUint of a sync message. */
export const SYNC_STEP1 = 0;
export const SYNC_STEP2 = 1;
export const SYNC_UPDATE = 2;
