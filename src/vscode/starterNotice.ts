import * as vscode from 'vscode';
import { notify } from './notify';

/** Lines a rewrite may span before the bundled starter's limits are worth a word. */
export const STARTER_NOTICE_LINES = 5;
const SHOWN_KEY = 'diffuse.starterNoticeShown';
export const CHOOSE_MODEL = 'Choose Model';

/**
 * The one-time word about the bundled starter: the first time it is asked to rewrite more than a
 * few lines, the user learns what it can and cannot do and is offered Choose Model. Shown once per
 * installation (global state), whatever the answer; it never holds up the fill it came with.
 */
export class StarterNotice {
  constructor(private readonly state: vscode.Memento, private readonly chooseModel: () => Thenable<unknown>) {}

  /** Called as a fill starts: `bundled` when the fill runs on the bundled starter. */
  maybeShow(bundled: boolean, lines: number): void {
    if (!bundled || lines <= STARTER_NOTICE_LINES || this.state.get<boolean>(SHOWN_KEY)) return;
    void this.state.update(SHOWN_KEY, true);
    void notify.info('Diffuse: this rewrite runs on the bundled starter model, which is small: it repairs slips, applies snippets and makes short fills well, '
      + 'but it cannot follow instructions and its rewrites of more than a few lines are often wrong (the review marks where it was unsure). '
      + 'Choose Model sets up a capable one: Inception Mercury, a server such as SGLang, or your own ONNX model.', CHOOSE_MODEL)
      .then(choice => (choice === CHOOSE_MODEL ? this.chooseModel() : undefined));
  }

  /** Shows it again on the next large rewrite (for the tests). */
  reset(): Thenable<void> {
    return this.state.update(SHOWN_KEY, undefined);
  }
}
