// Minimal typings for the untyped CommonJS libraries this module uses (pinned in package.json).
declare module 'libmime' {
  interface LibMime {
    decodeWords(str: string): string;
    decodeWord(charset: string, encoding: string, str: string): string;
    normalizeCharset(charset: string): string;
  }
  const libmime: LibMime;
  export default libmime;
}

declare module 'libmime/lib/charset.js' {
  interface LibCharset {
    decode(buf: Buffer, fromCharset: string): string;
    normalizeCharset(charset: string): string;
  }
  const charset: LibCharset;
  export default charset;
}

declare module 'libqp' {
  interface LibQp {
    decode(input: string | Buffer): Buffer;
  }
  const libqp: LibQp;
  export default libqp;
}
