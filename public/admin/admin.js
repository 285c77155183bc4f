// Back-office pages work without this file (plain forms and links). With it: a confirmation
// before irreversible actions, and one submission per form (a double click posts once; the
// server-made idempotency key in each form covers what gets through anyway).
'use strict';

(function start() {
  for (const element of document.querySelectorAll('.js-hidden')) element.hidden = true;

  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.dataset.submitting === 'true') {
      event.preventDefault();
      return;
    }
    const question = form.dataset.confirm;
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    if (form.method.toLowerCase() !== 'post') return;
    form.dataset.submitting = 'true';
    for (const button of form.querySelectorAll('button[type="submit"]')) {
      button.setAttribute('aria-disabled', 'true');
      button.classList.add('is-busy');
    }
  });

  // Back from the next page restores this one as it was left: make its forms usable again.
  window.addEventListener('pageshow', (event) => {
    if (!event.persisted) return;
    for (const form of document.querySelectorAll('form[data-submitting]')) {
      delete form.dataset.submitting;
      for (const button of form.querySelectorAll('button')) {
        button.removeAttribute('aria-disabled');
        button.classList.remove('is-busy');
      }
    }
  });
})();
