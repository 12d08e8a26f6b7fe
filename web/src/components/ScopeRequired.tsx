import type { ComponentChildren } from 'preact';

/** A page the signed-in key may not use: the scope it needs, and where a key with it comes from. */
export function ScopeRequired(props: { title: string; scope: string; what: string; children: ComponentChildren }) {
  return (
    <main id="main">
      <h1>{props.title}</h1>
      <div class="reason-box" role="status">
        <p>
          {props.what} need the <code>{props.scope}</code> scope, which the key this session was opened with does not
          have.
        </p>
        <p>{props.children}</p>
      </div>
    </main>
  );
}
