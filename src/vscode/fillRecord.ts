import type { OffsetRange } from '../core/types';

export type FillOutcome = 'review' | 'no-change' | 'cancelled' | 'refused' | 'failed';

/** What one fill did; logged, shown in the status bar and exposed to the in-host tests. */
export interface FillRecord {
  readonly uri: string;
  readonly outcome: FillOutcome;
  /** The range the engine replaced (after anchoring), in the document as it was when the fill began. */
  readonly range?: OffsetRange;
  readonly model?: string;
  /** The backend's source: the local model's folder, or the remote server's base URL. */
  readonly source?: string;
  readonly provider?: string;
  /** Denoising steps reported to the live view. */
  readonly steps: number;
  readonly nfe?: number;
  readonly ms?: number;
  readonly syntaxOk?: boolean;
  readonly repairRounds?: number;
  readonly variantFills?: number;
  readonly recovered?: boolean;
  readonly hunks?: number;
  /** A blank line filled with a line like it (engine/analogFill): that line, 1-based. */
  readonly analogLine?: number;
  /** ... of this file (a URI), when not of the document itself. */
  readonly analogFile?: string;
  /** The analogous line was taken with the names its neighbours differ in changed to the filled line's. */
  readonly analogAdapted?: boolean;
  /** Diffuse Apply: snippet pieces that could not be placed. */
  readonly unplaced?: number;
  /** Why a fill was refused or failed, in words for the user. */
  readonly message?: string;
}
