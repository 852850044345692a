// What the main process's confirmation says about each high-risk grant, in plain words: the
// capabilities' own words from shared/consent.ts (the consent screen's), the native full-access
// wording, a build hook's exact command, a program approved as it is on disk now. The renderer never
// writes any of it: plugin names, commands and problems come from the engine's own records.
import { type Capabilities, NO_CAPABILITIES } from '../../../shared/capabilities.js';
import { describeNative, describeRequests } from '../../../shared/consent.js';
import { visibleText } from '../../../shared/manifest/visible.js';

/** One thing the person is asked to allow. */
export interface GrantItem {
  title: string;
  detail: string;
}

/** A question for the native confirmation dialog: whose grant, and each high-risk part of it. */
export interface GrantQuestion {
  plugin: string;
  items: GrantItem[];
}

const clip = (text: string, max: number) => {
  const shown = visibleText(text);
  return shown.length > max ? `${shown.slice(0, max - 1)}…` : shown;
};

/** The consent screen's own words for a capability (exec: "can run any shell command as you"...). */
function capabilityWords(caps: Partial<Capabilities>): GrantItem[] {
  return describeRequests({ ...NO_CAPABILITIES, ...caps }, 'local').map((r) => ({
    title: r.title,
    detail: r.detail,
  }));
}

export const words = {
  exec: () => capabilityWords({ exec: true })[0]!,
  network: () => capabilityWords({ network: true })[0]!,
  filesystemWrite: () => capabilityWords({ filesystem: 'plugin' })[0]!,
  fullAccess: (): GrantItem => ({
    title: 'Run with full access, outside any containment',
    detail: describeNative({
      tier: 'local',
      contained: false,
      accessLabel: 'native, full access',
      binaries: [],
    }).summary,
  }),
  buildHook: (command: string): GrantItem => ({
    title: 'Run its build command on your computer, as you',
    detail: `Fledge will run exactly this command in the plugin's folder: ${clip(command, 600)}`,
  }),
  nativeProgram: (accessLabel: string, extraConfirmation: string | null): GrantItem => ({
    title: 'Install a program that runs on your computer as you',
    detail: `It is not a WASM plugin in Fledge's sandbox. It will run ${clip(accessLabel, 120)}.${
      extraConfirmation ? ` ${clip(extraConfirmation, 400)}` : ''
    }`,
  }),
  approveFiles: (problems: string[], native: boolean): GrantItem => ({
    title: native
      ? 'Let it run its programs as they are on disk now'
      : 'Let it run its WASM files as they are on disk now',
    detail:
      problems.length > 0
        ? `Fledge has not approved them as they are: ${problems
            .slice(0, 4)
            .map((p) => clip(p, 300))
            .join('; ')}${problems.length > 4 ? ` (and ${problems.length - 4} more)` : ''}.`
        : 'They were installed or changed outside Fledge Desktop, and it has not approved them yet.',
  }),
  unknownPlugin: (): GrantItem => ({
    title: 'Grant access Fledge could not check',
    detail: "Fledge could not read this plugin's details, so it cannot tell how much this grant allows.",
  }),
};
