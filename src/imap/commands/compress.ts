/**
 * COMPRESS (RFC 4978): `COMPRESS DEFLATE` turns on raw deflate in both directions right after the tagged
 * OK (the session applies the `compress` upgrader in the same tick as it writes the OK). One compression
 * layer per connection: a second COMPRESS gets `NO [COMPRESSIONACTIVE]` (section 3's example, as Dovecot).
 */
import { ImapError } from '../protocol/errors.ts';
import type { CommandContext, CommandSpec } from './types.ts';

/** The only mechanism RFC 4978 defines. */
export const COMPRESS_MECHANISM = 'DEFLATE';
/** RFC 4978 section 3 response code. */
export const COMPRESSIONACTIVE = 'COMPRESSIONACTIVE';

/** What COMPRESS needs beyond CommandContext (ImapSession implements it). */
export interface CompressContext extends CommandContext {
  /** Whether compression is already on (or about to be, after this command's OK). */
  readonly compressionActive: boolean;
  /** Whether another upgrade is already scheduled for the end of this command. */
  readonly upgradePending: boolean;
}

function isCompressContext(ctx: CommandContext): ctx is CompressContext {
  return typeof (ctx as Partial<CompressContext>).compressionActive === 'boolean';
}

/** `COMPRESS mechanism`. */
export const compressCommand: CommandSpec<{ mechanism: string }> = {
  name: 'COMPRESS',
  states: ['authenticated', 'selected'],
  expunge: 'allow',
  parse(dec) {
    dec.sp();
    const mechanism = dec.atom().toUpperCase();
    dec.end();
    return { mechanism };
  },
  run(ctx, { mechanism }) {
    if (mechanism !== COMPRESS_MECHANISM) throw new ImapError('BAD', `Unknown compression mechanism ${mechanism}`);
    if (!isCompressContext(ctx)) throw new ImapError('NO', 'Compression is not available on this connection');
    if (ctx.compressionActive) throw new ImapError('NO', 'Compression already active', { name: COMPRESSIONACTIVE });
    if (ctx.upgradePending) throw new ImapError('NO', 'Another connection upgrade is pending');
    ctx.upgradeAfterResponse('compress');
    return Promise.resolve({ text: 'DEFLATE active' });
  },
};
