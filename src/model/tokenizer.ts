/**
 * The model's tokenizer: encoding through @huggingface/tokenizers (the tokenizer.json of the model
 * package), decoding through the byte-level table, which is exact for any split of UTF-8 bytes.
 */
import { Tokenizer } from '@huggingface/tokenizers';

/** GPT-2's reversible byte <-> printable character map, as used by byte-level BPE (character -> byte). */
export function byteLevelTable(): Map<string, number> {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  return new Map(bs.map((b, i) => [String.fromCharCode(cs[i]), b]));
}

interface TokenizerJson {
  model: { vocab: Record<string, number> };
  added_tokens?: Array<{ id: number; content: string; special?: boolean }>;
}

export class CodeTokenizer {
  private readonly tok: Tokenizer;
  private readonly bytes: Uint8Array[];
  private readonly special = new Set<number>();
  private readonly newline: Uint8Array;
  private readonly decoder = new TextDecoder('utf-8');
  /** Bytes of the longest token: a text of n * maxTokenBytes characters holds at least n tokens. */
  readonly maxTokenBytes: number;

  constructor(json: unknown) {
    const j = json as TokenizerJson;
    this.tok = new Tokenizer(j as never, {} as never);
    const table = byteLevelTable();
    const size = Object.keys(j.model.vocab).length;
    this.bytes = new Array<Uint8Array>(size).fill(new Uint8Array(0));
    this.newline = new Uint8Array(size);
    for (const a of j.added_tokens ?? []) if (a.special) this.special.add(a.id);
    for (const [piece, id] of Object.entries(j.model.vocab)) {
      if (this.special.has(id)) continue;
      const b = Uint8Array.from([...piece].map((ch) => table.get(ch) ?? 0x3f));
      this.bytes[id] = b;
      if (b.includes(0x0a)) this.newline[id] = 1;
    }
    this.maxTokenBytes = this.bytes.reduce((max, b) => Math.max(max, b.length), 1);
  }

  get vocabSize(): number {
    return this.bytes.length;
  }


  encode(text: string): number[] {
    if (text.length === 0) return [];
    return this.tok.encode(text, { add_special_tokens: false }).ids;
  }

  /** Text of `ids`; special tokens contribute nothing. */
  decode(ids: ArrayLike<number>): string {
    let n = 0;
    for (let i = 0; i < ids.length; i++) n += this.bytes[ids[i]]?.length ?? 0;
    const buf = new Uint8Array(n);
    let o = 0;
    for (let i = 0; i < ids.length; i++) {
      const b = this.bytes[ids[i]];
      if (b) {
        buf.set(b, o);
        o += b.length;
      }
    }
    return this.decoder.decode(buf);
  }

  /**
   * Text of `ids` and where each token ends in it (UTF-16 offsets; a character split across tokens
   * belongs to the token holding its last byte). Special tokens end where the token before them did.
   */
  decodeWithEnds(ids: ArrayLike<number>): { text: string; ends: number[] } {
    const text = this.decode(ids);
    const byteEnds: number[] = [];
    let bytes = 0;
    for (let i = 0; i < ids.length; i++) byteEnds.push((bytes += this.bytes[ids[i]]?.length ?? 0));
    // UTF-16 offset after each whole character, by the UTF-8 byte that character ends on.
    const ends: number[] = [];
    let b = 0;
    let u = 0;
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      const uStart = u;
      b += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      u += ch.length;
      // A token ending inside this character leaves it to the token that holds its last byte.
      while (ends.length < byteEnds.length && byteEnds[ends.length] <= b) ends.push(byteEnds[ends.length] === b ? u : uStart);
    }
    while (ends.length < byteEnds.length) ends.push(u);
    return { text, ends };
  }

  byteLength(id: number): number {
    return this.bytes[id]?.length ?? 0;
  }

  isNewline(id: number): boolean {
    return this.newline[id] === 1;
  }

  isSpecial(id: number): boolean {
    return this.special.has(id);
  }
}
