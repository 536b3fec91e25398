// Chromium defers a page's tasks after a key press until the next frame is
// drawn (feature DeferRendererTasksAfterInput, on by default with policy
// "all-types"). When anything on the page keeps frames coming (a spinner,
// a blinking cursor) a frame is pending at every key press, so a terminal's
// echo arriving on its MessagePort waits for that frame and is drawn one
// frame later (~17 ms at 60 Hz). The desktop app renders nothing that gains
// from the deferral, so it turns it off; web mode relies on the terminal
// animating nothing.

export const INPUT_DEFERRAL_FEATURE = 'DeferRendererTasksAfterInput';

/** The part of Electron's app.commandLine this needs. */
export interface FeatureSwitches {
  getSwitchValue(name: string): string;
  appendSwitch(name: string, value?: string): void;
}

/** Adds the feature to --disable-features, keeping any features already listed there. */
export function disableInputTaskDeferral(commandLine: FeatureSwitches): void {
  const listed = commandLine
    .getSwitchValue('disable-features')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  if (listed.includes(INPUT_DEFERRAL_FEATURE)) return;
  commandLine.appendSwitch('disable-features', [...listed, INPUT_DEFERRAL_FEATURE].join(','));
}
