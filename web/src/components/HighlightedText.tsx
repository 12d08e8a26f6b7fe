/** The text with every character that forces UCS-2 marked, so the writer sees what to replace. */
export function HighlightedText({ text, unicode }: { text: string; unicode: string[] }) {
  if (unicode.length === 0) {
    return <p class="sms-text">{text || ' '}</p>;
  }
  const forcing = new Set(unicode);
  const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  const parts = [...segmenter.segment(text)].map(({ segment }, index) =>
    forcing.has(segment) ? (
      <mark key={index} title="Forces UCS-2">
        {segment}
      </mark>
    ) : (
      segment
    ),
  );
  return <p class="sms-text">{parts}</p>;
}
