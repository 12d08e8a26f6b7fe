import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';

/**
 * A secret the server returns once (an API key, a webhook signing secret), with a copy button.
 * Where the browser refuses the clipboard (plain HTTP off localhost) the text is selected instead.
 */
export function ShownOnceSecret(props: {
  title: string;
  value: string;
  onDismiss: () => void;
  children: ComponentChildren;
}) {
  const [copyState, setCopyState] = useState<'idle' | 'copied' | 'selected'>('idle');
  const code = useRef<HTMLElement>(null);

  async function copy() {
    try {
      await navigator.clipboard.writeText(props.value);
      setCopyState('copied');
    } catch {
      const range = document.createRange();
      if (code.current) {
        range.selectNodeContents(code.current);
        getSelection()?.removeAllRanges();
        getSelection()?.addRange(range);
      }
      setCopyState('selected');
    }
  }

  return (
    <section class="secret" aria-labelledby="secret-title">
      <h3 id="secret-title">{props.title}</h3>
      <p>
        <strong>Shown once:</strong> {props.children}
      </p>
      <div class="secret-value">
        <code ref={code} class="mono" data-secret>
          {props.value}
        </code>
        <button type="button" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <p class="hint" aria-live="polite">
        {copyState === 'copied'
          ? 'Copied to the clipboard.'
          : copyState === 'selected'
            ? 'Selected: press Ctrl+C (⌘C) to copy.'
            : ''}
      </p>
      <button type="button" onClick={props.onDismiss}>
        I have stored it
      </button>
    </section>
  );
}
