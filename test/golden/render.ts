/** Renders a fixture the way the golden files hold Dovecot's answers (see scripts/dovecot-golden.ts). */
import { parseMessage, encodeMeta, decodeMeta } from '../../src/message/index.ts';
import { envelopeValue } from '../../src/imap/fetch/envelope.ts';
import { bodyStructureValue } from '../../src/imap/fetch/bodystructure.ts';
import { renderValue } from '../../src/imap/wire/value-encoder.ts';

/** Our rendering in the golden file format. */
export function renderGolden(raw: Buffer): Buffer {
  // Through the stored record, as a store would serve it.
  const meta = decodeMeta(encodeMeta(parseMessage(raw)));
  return Buffer.concat([
    Buffer.from('ENVELOPE '), renderValue(envelopeValue(meta)), Buffer.from('\n'),
    Buffer.from('BODY '), renderValue(bodyStructureValue(meta, false)), Buffer.from('\n'),
    Buffer.from('BODYSTRUCTURE '), renderValue(bodyStructureValue(meta, true)), Buffer.from('\n'),
  ]);
}

