/** A piece of a snippet that could not be placed in the original, and why. Lines are 1-based, inclusive, in the snippet as given. */
export interface UnplacedPiece {
  readonly snippetLines: readonly [number, number];
  readonly reason: string;
}

export interface ApplyOptions {
  /** VS Code language id of the file (picks the comment syntax of marker lines); guessed from the text when absent. */
  readonly languageId?: string;
}

/** The outcome of applying an edit snippet to an original file. */
export interface ApplyResult {
  /** The merged file. When `unplaced` is not empty it is the original with the placed pieces only: callers refuse it. */
  readonly text: string;
  /** Pieces that could not be placed: never dropped or guessed silently. */
  readonly unplaced: readonly UnplacedPiece[];
  /** Pieces the snippet was split into (code between marker comments). */
  readonly pieces: number;
  /** Whether the snippet was taken as the whole file (no markers, and it covers the file). */
  readonly wholeFile: boolean;
  /** Model calls spent on what alignment could not decide (0 for the pure aligner). */
  readonly modelCalls: number;
  /** How each placed piece was placed, in snippet order. */
  readonly placements?: readonly Placement[];
}

/** Where a piece went and how sure the alignment was. */
export interface Placement {
  /** 1-based inclusive lines of the snippet, and of the original that the piece replaces (end before start: an insertion). */
  readonly snippetLines: readonly [number, number];
  readonly fileLines: readonly [number, number];
  /** Telling lines of the piece found in the file as they are. */
  readonly anchors: number;
  /** Score of this placement over the best one elsewhere (lines of evidence; large is sure). */
  readonly margin: number;
}
