import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { type ITheme, Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';
import type { OutputBuffer } from '../../stores/output-buffer.js';

/** VS Code's terminal flow control: pause writing at this many unacknowledged characters... */
export const HIGH_WATERMARK = 100_000;
/** ...and resume when xterm has caught up to this many. */
export const LOW_WATERMARK = 5_000;
/**
 * Largest piece handed to xterm at once. xterm parses its queue in slices of about 12 ms, but a
 * single write is never cut: 4,096 characters (about 160 short lines) keep every slice well under a
 * frame even on a busy machine (32 KB took 50-80 ms per write here).
 */
export const MAX_WRITE = 4096;

export interface TerminalHandle {
  find(text: string, direction: 'next' | 'previous'): boolean;
  clearSearch(): void;
  selectAll(): void;
  copySelection(): Promise<boolean>;
  focus(): void;
  fit(): void;
}

function themeFromCss(): ITheme {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string) => css.getPropertyValue(name).trim();
  const dark = css.colorScheme.includes('dark') || document.documentElement.dataset.theme === 'dark';
  return {
    background: v('--terminal-bg'),
    foreground: v('--terminal-fg'),
    cursor: v('--terminal-fg'),
    selectionBackground: dark ? '#264f78' : '#b3d4fc',
    ...(dark
      ? {}
      : {
          black: '#1b1f24',
          red: '#b42318',
          green: '#116329',
          yellow: '#7a5200',
          blue: '#0a58a8',
          magenta: '#8e24aa',
          cyan: '#0b6b75',
          white: '#5c6670',
          brightBlack: '#505a66',
          brightRed: '#a0111f',
          brightGreen: '#0f5a25',
          brightYellow: '#6b4500',
          brightBlue: '#0a4a8c',
          brightMagenta: '#7b1fa2',
          brightCyan: '#095c64',
          brightWhite: '#1b1f24',
        }),
  };
}

/**
 * xterm.js 6.0 reveals its scrollbar on every scroll, and output scrolls once per line: each line
 * re-arms a hide timer (a clearTimeout and a setTimeout), which was over a third of the time a
 * 200,000-line flood took (xtermjs/xterm.js#6106, #6123, open). The scrollbar still shows while the
 * pointer is over the output. Reached through xterm's private fields (the version is pinned), so it
 * does nothing if they move: the main thread's CPU during the flood that test/e2e/perf.test.ts prints
 * shows it (about 700 ms with it, 1,300 ms without, for 200,000 lines here).
 */
function quietScrollbar(t: Terminal): void {
  const core = (t as unknown as { _core?: { _viewport?: { _scrollableElement?: unknown } } })._core;
  const scrollable = core?._viewport?._scrollableElement as { setRevealOnScroll?: (v: boolean) => void };
  if (typeof scrollable?.setRevealOnScroll === 'function') scrollable.setRevealOnScroll(false);
}

interface TerminalRefs {
  term: { current: Terminal | null };
  fit: { current: FitAddon | null };
  search: { current: SearchAddon | null };
}

/** Opens xterm in `el`, fed from `buffer` with flow control; returns what closes it again. */
function openTerminal(
  el: HTMLDivElement,
  buffer: OutputBuffer,
  label: string,
  { term, fit, search }: TerminalRefs,
): () => void {
  const t = new Terminal({
    convertEol: true,
    disableStdin: true,
    cursorBlink: false,
    cursorStyle: 'bar',
    cursorInactiveStyle: 'none',
    scrollback: 250_000,
    fontFamily: getComputedStyle(document.documentElement).getPropertyValue('--font-mono'),
    fontSize: 13,
    theme: themeFromCss(),
    allowProposedApi: true,
    screenReaderMode: false,
  });
  const f = new FitAddon();
  const s = new SearchAddon();
  t.loadAddon(f);
  t.loadAddon(s);
  t.open(el);
  quietScrollbar(t);
  t.textarea?.setAttribute('aria-label', label);
  term.current = t;
  fit.current = f;
  search.current = s;
  try {
    f.fit();
  } catch {
    // not laid out yet; fitted when shown
  }

  // ---- flow control ----
  const queue: string[] = [];
  let queued = 0;
  let unacked = 0;
  let paused = false;
  let writtenChars = 0;
  let writtenLines = 0;
  let disposed = false;
  const countLines = (s: string) => {
    let n = 0;
    let i = s.indexOf('\n');
    while (i !== -1) {
      n++;
      i = s.indexOf('\n', i + 1);
    }
    return n;
  };
  const pump = () => {
    while (!disposed && queue.length > 0 && unacked < HIGH_WATERMARK) {
      let chunk = queue.shift()!;
      if (chunk.length > MAX_WRITE) {
        queue.unshift(chunk.slice(MAX_WRITE));
        chunk = chunk.slice(0, MAX_WRITE);
      }
      queued -= chunk.length;
      unacked += chunk.length;
      const len = chunk.length;
      const lines = countLines(chunk);
      t.write(chunk, () => {
        unacked -= len;
        writtenChars += len;
        writtenLines += lines;
        el.dataset.writtenChars = String(writtenChars);
        el.dataset.writtenLines = String(writtenLines);
        if (paused && unacked <= LOW_WATERMARK) {
          paused = false;
          el.dataset.paused = 'false';
          pump();
        }
      });
    }
    if (queue.length > 0 && !paused) {
      paused = true;
      el.dataset.paused = 'true';
    }
    el.dataset.queued = String(queued);
  };
  const detach = buffer.attach((chunk) => {
    queue.push(chunk);
    queued += chunk.length;
    if (!paused) pump();
  });

  const resize = new ResizeObserver(() => {
    if (el.offsetParent === null) return;
    try {
      f.fit();
    } catch {
      // hidden
    }
  });
  resize.observe(el);
  // The theme follows the app's setting (data-theme) and, for "same as my computer", the system's.
  const applyTheme = () => {
    t.options.theme = themeFromCss();
  };
  const themeWatch = new MutationObserver(applyTheme);
  themeWatch.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  const media = window.matchMedia('(prefers-color-scheme: dark)');
  media.addEventListener('change', applyTheme);
  return () => {
    disposed = true;
    detach();
    resize.disconnect();
    themeWatch.disconnect();
    media.removeEventListener('change', applyTheme);
    t.dispose();
    term.current = null;
  };
}

/**
 * A run's output in xterm.js: ANSI colours, search, copy, select all. Flow control: text goes to
 * xterm only while fewer than HIGH_WATERMARK characters are waiting for its parser; then writing
 * pauses until it is down to LOW_WATERMARK, so a flood never freezes the window. Nothing is dropped:
 * paused text waits in a queue. `data-written-lines` counts the lines xterm has processed.
 */
export const TerminalView = forwardRef<
  TerminalHandle,
  { buffer: OutputBuffer; label: string; visible: boolean }
>(function TerminalView({ buffer, label, visible }, ref) {
  const host = useRef<HTMLDivElement>(null);
  const term = useRef<Terminal | null>(null);
  const fit = useRef<FitAddon | null>(null);
  const search = useRef<SearchAddon | null>(null);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    // xterm is opened in a task of its own: a run's panel appears in the click's task, and opening
    // the terminal there too (its DOM, measuring the font, the first fit) made that one task 50-70 ms.
    let teardown: (() => void) | null = null;
    const opening = setTimeout(() => {
      teardown = openTerminal(el, buffer, label, { term, fit, search });
    }, 0);
    return () => {
      clearTimeout(opening);
      teardown?.();
    };
  }, [buffer, label]);

  useEffect(() => {
    if (visible)
      try {
        fit.current?.fit();
      } catch {
        // not laid out
      }
  }, [visible]);

  useImperativeHandle(ref, () => ({
    find(text, direction) {
      const s = search.current;
      if (!s || !text) return false;
      const opts = {
        caseSensitive: false,
        decorations: { matchOverviewRuler: '#f2cc60', activeMatchColorOverviewRuler: '#ff9632' },
      };
      return direction === 'next' ? s.findNext(text, opts) : s.findPrevious(text, opts);
    },
    clearSearch() {
      search.current?.clearDecorations();
      term.current?.clearSelection();
    },
    selectAll() {
      term.current?.selectAll();
      term.current?.focus();
    },
    async copySelection() {
      const text = term.current?.getSelection() ?? '';
      if (!text) return false;
      try {
        await navigator.clipboard.writeText(text);
        return true;
      } catch {
        return false;
      }
    },
    focus() {
      term.current?.focus();
    },
    fit() {
      fit.current?.fit();
    },
  }));

  return (
    <div
      ref={host}
      className="terminal"
      data-testid="terminal"
      data-written-lines="0"
      data-written-chars="0"
    />
  );
});
