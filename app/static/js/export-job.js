// A background export's page: while the job is queued or running, ask its status every 1.5 s and
// move the bar (rows written of rows counted); when it is done or failed, reload to show the file.
(function () {
  'use strict';
  var box = document.querySelector('[data-testid=export-job]');
  if (!box) { return; }
  var status = box.getAttribute('data-status');
  if (status !== 'queued' && status !== 'running') { return; }
  var bar = box.querySelector('[data-testid=export-progress]');
  var meter = box.querySelector('[role=progressbar]');
  function poll() {
    fetch(box.getAttribute('data-status-url'), {credentials: 'same-origin', headers: {Accept: 'application/json'}})
      .then(function (response) { return response.json(); })
      .then(function (job) {
        bar.style.width = job.percent + '%';
        bar.textContent = job.percent + '%';
        meter.setAttribute('aria-valuenow', job.percent);
        if (job.status !== status) { window.location.reload(); return; }
        window.setTimeout(poll, 1500);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1500);
}());
