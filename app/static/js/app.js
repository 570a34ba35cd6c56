/* Behaviour of the pages, from this file only: the Content-Security-Policy allows no inline script,
   no on…= handler and no style= attribute. Pages ask for behaviour through data- attributes. */
(function () {
  'use strict';

  // <select data-autosubmit>: choosing a value submits its form (year filters).
  function autosubmit(root) {
    root.querySelectorAll('select[data-autosubmit]').forEach(function (select) {
      select.addEventListener('change', function () { select.form.submit(); });
    });
  }

  // <form data-confirm="question">: ask before sending.
  function confirmations(root) {
    root.querySelectorAll('form[data-confirm]').forEach(function (form) {
      form.addEventListener('submit', function (event) {
        if (!window.confirm(form.dataset.confirm)) event.preventDefault();
      });
    });
  }

  // data-pct="42": a bar segment 42% wide. Set through the CSSOM, which the policy allows.
  function bars(root) {
    root.querySelectorAll('[data-pct]').forEach(function (el) {
      var pct = Math.max(0, Math.min(100, parseInt(el.dataset.pct, 10) || 0));
      el.style.width = pct + '%';
    });
  }

  // The request form: add and remove lines, show each line's amount and the total as one types.
  function requestLines() {
    var body = document.getElementById('lines-body');
    var template = document.getElementById('line-template');
    if (!body || !template) return;
    var next = body.querySelectorAll('tr.line-row').length;

    function digits(text) {
      var t = (text || '').replace(/[\s.\u00a0₫đ,]/g, '');
      return /^\d+$/.test(t) ? parseInt(t, 10) : null;
    }
    function vnd(n) { return n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, '.') + ' ₫'; }
    function recompute() {
      var total = 0;
      body.querySelectorAll('tr.line-row').forEach(function (row) {
        var q = digits(row.querySelector('[data-field="quantity"]').value);
        var c = digits(row.querySelector('[data-field="unit_cost"]').value);
        var cell = row.querySelector('.line-amount');
        if (q !== null && c !== null) { cell.textContent = vnd(q * c); total += q * c; }
        else { cell.textContent = ''; }
      });
      document.getElementById('lines-total').textContent = vnd(total);
    }
    function renumber() {
      // Indices only need to be distinct: the server keeps the rows in index order.
      body.querySelectorAll('tr.line-row').forEach(function (row, i) {
        row.querySelectorAll('[name^="lines-"]').forEach(function (el) {
          el.name = el.name.replace(/^lines-[^-]+-/, 'lines-' + i + '-');
        });
      });
    }

    document.getElementById('add-line').addEventListener('click', function () {
      body.insertAdjacentHTML('beforeend', template.innerHTML.replace(/__i__/g, String(next++)));
      renumber();
      var rows = body.querySelectorAll('tr.line-row');
      rows[rows.length - 1].querySelector('select').focus();
    });
    body.addEventListener('click', function (event) {
      var button = event.target.closest('.remove-line');
      if (!button) return;
      button.closest('tr').remove();
      renumber();
      recompute();
    });
    body.addEventListener('input', recompute);
    body.addEventListener('focusout', function (event) {
      if (event.target.dataset.field === 'unit_cost') {
        var n = digits(event.target.value);
        if (n !== null) event.target.value = vnd(n).replace(' ₫', '');
      }
    });
    recompute();
  }

  function start() {
    autosubmit(document);
    confirmations(document);
    bars(document);
    requestLines();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
