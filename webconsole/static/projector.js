// The projector view reloads itself when the secretariat shows another question: it polls the
// current question's mark every 2 seconds (a few bytes, one lookup) and reloads when it differs.
(function () {
  "use strict";
  var EVERY = 2000;
  function check() {
    fetch("/console/projector/mark", { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      return response.status === 200 ? response.text() : null;
    }).then(function (mark) {
      if (mark !== null && mark !== document.body.getAttribute("data-mark")) { window.location.reload(); }
    }).catch(function () { /* the network blinked: keep the question on screen, try again */ });
  }
  setInterval(check, EVERY);
})();
