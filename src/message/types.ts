/**
 * The parse-once metadata record (issue 2 owns its full shape). Stores treat it as opaque: they save
 * `encodeMeta(meta)` beside the message bytes at append and give back `decodeMeta(bytes)` on read.
 */
export interface MessageMeta {
  /** Format version, so that stored records can be migrated. */
  readonly version: number;
  /** Size of the message in octets (RFC822.SIZE). */
  readonly size: number;
}
