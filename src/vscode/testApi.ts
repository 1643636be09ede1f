import * as vscode from 'vscode';
import type { PendingHunk } from '../core/review';
import type { OffsetRange, TokenConfidence } from '../core/types';
import type { FillRecord } from './fillRecord';
import type { BackendService } from './backendService';
import { setMessageResponder, type MessageResponder } from './notify';
import type { FillRunner, LiveStep } from './fillRunner';
import type { ReviewManager } from './reviewManager';
import { INCEPTION_ENDPOINT, type ModelPicker } from './modelPicker';
import { setPromptResponder, type PromptResponder } from './prompts';
import type { ReviewMarks } from './reviewSession';
import type { DiffuseStatusBar } from './statusBar';

/**
 * What `activate` returns, for the in-host tests: the state behind the UI, which decorations and
 * CodeLens do not let a test read back.
 */
export interface DiffuseTestApi {
  /** Pending hunks of a document, in document order (empty when it has no review). */
  reviews(uri: vscode.Uri | string): readonly PendingHunk[];
  /** Every denoising step of every fill, as the live view receives it. */
  readonly onDidStep: vscode.Event<LiveStep>;
  /** Each phase a fill enters after its first denoising (checking syntax, repairing, ...). */
  readonly onDidEnterPhase: vscode.Event<{ readonly uri: string; readonly phase: string }>;
  /** Every finished fill, whatever its outcome. */
  readonly onDidFinishFill: vscode.Event<FillRecord>;
  /** The last finished fill. */
  readonly lastFill: FillRecord | undefined;
  /** Runs after the engine answered and before the result is checked against the document. */
  setBeforeApply(hook: ((uri: string) => Promise<void> | void) | undefined): void;
  /**
   * Shows `newText` over `range` (offsets in the document as it is now) for review, through the
   * same path a finished fill takes (rooted edit, then review session), so the review mechanics
   * can be tested on known proposals whatever the model proposes. Resolves to the fill's record.
   */
  /** The status bar item's text. */
  readonly statusText: string;
  /** Whether the local model's inference worker is running (diffuse.worker.preload starts it ahead of a fill). */
  modelRunning(): Promise<boolean>;
  /** Answers every notification the extension shows (undefined: shown in the window again). */
  setMessageResponder(responder: MessageResponder | undefined): void;
  proposeForTest(uri: vscode.Uri | string, newText: string, range: OffsetRange, confidence?: readonly TokenConfidence[]): Promise<FillRecord>;
  /** Answers every quick pick, input box and folder dialog of Choose Model (undefined: the window asks again). */
  setPromptResponder(responder: PromptResponder | undefined): void;
  /** Points Choose Model's Inception option at another server (a loopback stand-in). */
  setInceptionEndpoint(endpoint: string | undefined): void;
  /** Lets the one-time starter-model notice show again. */
  resetStarterNotice(): Thenable<void>;
  /** What the review last drew in the document's editor: low-confidence tokens and removed-line markers. */
  reviewMarks(uri: vscode.Uri | string): ReviewMarks | undefined;
}

export function createTestApi(reviews: ReviewManager, runner: FillRunner, status: DiffuseStatusBar, picker: ModelPicker, backends: BackendService): DiffuseTestApi {
  return {
    setPromptResponder,
    setInceptionEndpoint: endpoint => {
      picker.inceptionEndpoint = endpoint ?? INCEPTION_ENDPOINT;
    },
    resetStarterNotice: () => runner.starterNotice?.reset() ?? Promise.resolve(),
    get statusText() {
      return status.text;
    },
    modelRunning: () => backends.modelRunning(),
    reviews: uri => reviews.pending(typeof uri === 'string' ? uri : uri.toString()),
    onDidStep: runner.onDidStep,
    onDidEnterPhase: runner.onDidEnterPhase,
    onDidFinishFill: runner.onDidFinish,
    get lastFill() {
      return runner.lastFill;
    },
    setBeforeApply: hook => {
      runner.beforeApply = hook;
    },
    setMessageResponder,
    proposeForTest: async (uri, newText, range, confidence) => {
      const doc = await vscode.workspace.openTextDocument(typeof uri === 'string' ? vscode.Uri.parse(uri) : uri);
      return runner.propose(doc, range, newText, confidence);
    },
    reviewMarks: uri => reviews.marks(typeof uri === 'string' ? uri : uri.toString()),
  };
}
