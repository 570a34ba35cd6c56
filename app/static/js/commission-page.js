/* The commission page (issue 20): its tabs and its dialogs, from this file only (the
   Content-Security-Policy allows no inline script). The server names on [data-commission-page]
   the form a refusal drew again (data-open-form="deliver-12"): its tab and its dialog are opened and
   the first field in error is focused. An address ending in #tab-money or #d-12 opens that tab (and
   scrolls to that deliverable). A tab chosen by hand is kept in the address, for reload and back.
   Without scripts the tabs are links to sections and the dialogs are drawn in place (css/nojs.css). */
(function () {
  'use strict';

  function start() {
    var page = document.querySelector('[data-commission-page]');
    if (!page || !window.bootstrap) return;

    function triggerOf(pane) {
      return page.querySelector('[data-bs-toggle="tab"][data-bs-target="#' + pane.id + '"]');
    }
    function showPane(pane) {
      var trigger = pane && triggerOf(pane);
      if (trigger) window.bootstrap.Tab.getOrCreateInstance(trigger).show();
    }
    function showTabOf(element) {
      var pane = element.classList.contains('tab-pane') ? element : element.closest('.tab-pane');
      showPane(pane);
    }
    function firstProblem(root) {
      return root.querySelector('.is-invalid') || root.querySelector('[data-dialog-alert]') ||
        root.querySelector('input:not([type=hidden]), select, textarea');
    }

    // A tab chosen by hand goes into the address (replaced, not pushed: back leaves the page).
    page.querySelectorAll('[data-bs-toggle="tab"]').forEach(function (tab) {
      tab.addEventListener('click', function () {
        if (window.history && window.history.replaceState) {
          window.history.replaceState(null, '', tab.getAttribute('href'));
        }
      });
    });

    // A dialog gives the focus to its first field (or the field in error) once shown.
    page.querySelectorAll('.action-dialog').forEach(function (dialog) {
      dialog.addEventListener('shown.bs.modal', function () {
        var target = firstProblem(dialog);
        if (target) target.focus();
      });
    });

    function openFromAddress() {
      var id = decodeURIComponent(window.location.hash.slice(1));
      var target = id ? document.getElementById(id) : null;
      if (!target || !page.contains(target)) return false;
      showTabOf(target);
      if (!target.classList.contains('tab-pane')) {
        target.scrollIntoView({ block: 'start' });
        if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
        target.focus({ preventScroll: true });
      }
      return true;
    }

    // Links inside the page to a deliverable or a tab (#d-12, #tab-money) open its tab.
    window.addEventListener('hashchange', openFromAddress);

    var name = page.dataset.openForm;
    var form = name ? page.querySelector('[data-form="' + name.replace(/["\\]/g, '') + '"]') : null;
    if (form) {
      showTabOf(form);
      if (form.classList.contains('modal')) {
        window.bootstrap.Modal.getOrCreateInstance(form).show();
      } else {
        form.scrollIntoView({ block: 'center' });
        var target = firstProblem(form);
        if (target) target.focus();
      }
    } else {
      openFromAddress();
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
