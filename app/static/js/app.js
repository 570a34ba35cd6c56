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

  // The commission proposal form: deliverable lines added and removed, each line's value and the
  // total as one types, the chosen allocation's category and what is left on it, the kinds of
  // product that category commissions, and the price basis only for the methods that need it.
  function commissionForm() {
    var form = document.getElementById('commission-form');
    var body = document.getElementById('deliverables-body');
    var template = document.getElementById('deliverable-template');
    if (!form || !body || !template) return;
    var allocation = form.querySelector('[data-allocation-select]');
    var method = form.querySelector('[data-method-select]');
    var priceBasis = document.getElementById('price-basis');
    var over = document.getElementById('over-available');
    var next = body.querySelectorAll('tr.deliverable-row').length;

    function digits(text) {
      var t = (text || '').replace(/[\s.\u00a0₫đ,]/g, '');
      return /^\d+$/.test(t) ? parseInt(t, 10) : null;
    }
    function vnd(n) { return n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, '.') + ' ₫'; }
    function chosen() {
      return allocation && allocation.value ? allocation.selectedOptions[0] : null;
    }
    function total() {
      var sum = 0;
      body.querySelectorAll('tr.deliverable-row').forEach(function (row) {
        var q = digits(row.querySelector('[data-field="quantity"]').value);
        var p = digits(row.querySelector('[data-field="unit_price"]').value);
        var cell = row.querySelector('.deliverable-value');
        if (q !== null && p !== null) { cell.textContent = vnd(q * p); sum += q * p; }
        else { cell.textContent = ''; }
      });
      document.getElementById('deliverables-total').textContent = vnd(sum);
      var option = chosen();
      if (over) over.hidden = !(option && sum > parseInt(option.dataset.available, 10));
    }
    function kinds(root) {
      var option = chosen();
      var category = option ? option.dataset.category : null;
      root.querySelectorAll('select[data-field="kind"]').forEach(function (select) {
        select.querySelectorAll('optgroup').forEach(function (group) {
          var fits = !category || group.dataset.category === 'any' || group.dataset.category === category;
          group.hidden = !fits;
          group.disabled = !fits;
        });
        var picked = select.selectedOptions[0];
        if (picked && picked.parentElement.disabled) select.value = '';
      });
    }
    function showAllocation() {
      var option = chosen();
      document.getElementById('allocation-available').textContent =
        option ? vnd(parseInt(option.dataset.available, 10)) : '—';
      document.getElementById('allocation-category').textContent = option ? option.dataset.categoryLabel : '—';
      kinds(body);
      total();
    }
    function showPriceBasis() {
      if (!method || !priceBasis) return;
      priceBasis.hidden = method.dataset.priced.split(' ').indexOf(method.value) < 0;
    }
    function renumber() {
      body.querySelectorAll('tr.deliverable-row').forEach(function (row, i) {
        row.querySelectorAll('[name^="deliverables-"]').forEach(function (el) {
          el.name = el.name.replace(/^deliverables-[^-]+-/, 'deliverables-' + i + '-');
        });
      });
    }

    document.getElementById('add-deliverable').addEventListener('click', function () {
      body.insertAdjacentHTML('beforeend', template.innerHTML.replace(/__i__/g, String(next++)));
      renumber();
      var rows = body.querySelectorAll('tr.deliverable-row');
      var row = rows[rows.length - 1];
      kinds(row);
      row.querySelector('input').focus();
    });
    body.addEventListener('click', function (event) {
      var button = event.target.closest('.remove-deliverable');
      if (!button) return;
      button.closest('tr').remove();
      renumber();
      total();
    });
    body.addEventListener('input', total);
    body.addEventListener('focusout', function (event) {
      if (event.target.dataset.field === 'unit_price') {
        var n = digits(event.target.value);
        if (n !== null) event.target.value = vnd(n).replace(' ₫', '');
      }
    });
    if (allocation) allocation.addEventListener('change', showAllocation);
    if (method) method.addEventListener('change', showPriceBasis);
    kinds(body);
    showPriceBasis();
    total();
  }

  // A table wider than its box scrolls sideways: the box takes keyboard focus so that it can be
  // scrolled without a mouse (WCAG 2.1.1), and is named by the table's caption or the page's title.
  function scrollableTables(root) {
    root.querySelectorAll('.table-responsive').forEach(function (box) {
      var wide = box.scrollWidth > box.clientWidth + 1;
      if (wide && !box.hasAttribute('tabindex')) {
        box.setAttribute('tabindex', '0');
        box.setAttribute('role', 'region');
        var caption = box.querySelector('caption');
        box.setAttribute('aria-label', caption ? caption.textContent.trim() : document.title);
      }
    });
  }

  function start() {
    scrollableTables(document);
    autosubmit(document);
    confirmations(document);
    bars(document);
    requestLines();
    commissionForm();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
  window.addEventListener('resize', function () { scrollableTables(document); });
  document.addEventListener('toggle', function () { scrollableTables(document); }, true);  // <details> opened
})();
