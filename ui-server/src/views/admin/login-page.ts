/** The back-office login form, and the admin-styled page for refusals and errors. */
import type { AdminSession } from '../../admin/sessions.ts';
import { html } from '../html.ts';
import { adminPage } from './layout.ts';

export function renderLoginPage(options: { next: string; error?: string; user?: string }): string {
  return adminPage({ title: 'Log in' }, html`
<section class="login card">
<h1>Log in to the back office</h1>
${options.error ? html`<p class="flash flash-error" role="alert">${options.error}</p>` : ''}
<form method="post" action="/admin/login" class="stack">
<input type="hidden" name="next" value="${options.next}">
<div class="field">
<label for="user">User name</label>
<input id="user" name="user" type="text" autocomplete="username" required maxlength="100" value="${options.user ?? ''}" autofocus>
</div>
<div class="field">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1000">
</div>
<button type="submit" class="button button-primary">Log in</button>
</form>
</section>`);
}

export function renderAdminProblemPage(title: string, detail: string, session: AdminSession | undefined): string {
  const back = session
    ? html`<p><a class="button button-secondary" href="/admin/payments">Back to the payments</a></p>`
    : html`<p><a class="button button-secondary" href="/admin/login">Log in</a></p>`;
  return adminPage({ title, ...(session ? { session } : {}) }, html`
<h1>${title}</h1>
<p>${detail}</p>
${back}`);
}
