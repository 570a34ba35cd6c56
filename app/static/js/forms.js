/* Form inputs (issue 20 item 6), from this file only: the Content-Security-Policy allows no inline
   script. Inputs ask for behaviour through data- attributes that templates/_macros.html writes.

   input[data-amount]  đồng grouped with dots as one types (1250000 -> 1.250.000), the caret kept
                       after the same digit; text that is not a whole number is left as typed, for
                       the server to refuse with its message.
   input[data-day]     dd/mm/yyyy; eight digits typed without separators (05022026) become 05/02/2026
                       when one leaves the box. The server reads the date (app.core.dates.parse_day).
   a form with a required field's mark gets the legend "* bắt buộc" when its page did not write one. */
(function () {
  'use strict';

  var GROUPABLE = /^-?[\d.\s\u00a0\u202f]*$/;

  function digitsOf(text) { return text.replace(/\D/g, ''); }

  function group(digits) {
    var plain = digits.replace(/^0+(?=\d)/, '');
    return plain.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  }

  // The caret's place in `text` after `count` digits (and before the separator that follows them).
  function caretAfterDigits(text, count) {
    if (count <= 0) return text.charAt(0) === '-' ? 1 : 0;
    var seen = 0;
    for (var i = 0; i < text.length; i++) {
      if (/\d/.test(text.charAt(i)) && ++seen === count) return i + 1;
    }
    return text.length;
  }

  function regroup(input, event) {
    var value = input.value;
    var previous = input.dataset.previous || '';
    if (!GROUPABLE.test(value)) { input.dataset.previous = value; return; }
    var caret = input.selectionStart === null ? value.length : input.selectionStart;
    var sign = value.trim().charAt(0) === '-' ? '-' : '';
    var digits = digitsOf(value);
    var before = digitsOf(value.slice(0, caret)).length;
    // Deleting a dot deletes the digit beside it: the dot alone would only come back.
    var type = event && event.inputType;
    if (digits === digitsOf(previous) && value.length < previous.length && digits.length) {
      if (type === 'deleteContentBackward' && before > 0) {
        digits = digits.slice(0, before - 1) + digits.slice(before);
        before -= 1;
      } else if (type === 'deleteContentForward' && before < digits.length) {
        digits = digits.slice(0, before) + digits.slice(before + 1);
      }
    }
    var grouped = digits ? sign + group(digits) : sign;
    // Leading zeros dropped by group() move the caret left by as many digits.
    var dropped = digits.length - digitsOf(grouped).length;
    before = Math.max(0, before - dropped);
    if (grouped !== value) {
      input.value = grouped;
      if (document.activeElement === input) {
        var at = caretAfterDigits(grouped, before);
        input.setSelectionRange(at, at);
      }
    }
    input.dataset.previous = input.value;
  }

  function amounts(root) {
    root.querySelectorAll('input[data-amount]').forEach(function (input) {
      input.dataset.previous = input.value;
    });
    root.addEventListener('input', function (event) {
      var input = event.target;
      if (input.matches && input.matches('input[data-amount]')) regroup(input, event);
    });
  }

  function days(root) {
    root.addEventListener('focusout', function (event) {
      var input = event.target;
      if (!input.matches || !input.matches('input[data-day]')) return;
      var text = input.value.trim();
      if (/^\d{8}$/.test(text)) input.value = text.slice(0, 2) + '/' + text.slice(2, 4) + '/' + text.slice(4);
    });
  }

  function legends(root) {
    root.querySelectorAll('form').forEach(function (form) {
      var mark = form.querySelector('.required-mark[data-legend]');
      if (!mark || form.querySelector('.required-legend')) return;
      var legend = document.createElement('p');
      legend.className = 'required-legend small mb-2';
      var star = document.createElement('span');
      star.className = 'required-mark';
      star.setAttribute('aria-hidden', 'true');
      star.textContent = '*';
      legend.appendChild(star);
      legend.appendChild(document.createTextNode(' ' + mark.dataset.legend));
      var csrf = form.querySelector('input[name="csrf_token"]');
      if (csrf && csrf.parentNode === form) form.insertBefore(legend, csrf.nextSibling);
      else form.insertBefore(legend, form.firstChild);
    });
  }

  function start() {
    amounts(document);
    days(document);
    legends(document);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
