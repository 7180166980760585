// Live refresh without a reload: every element with data-live="URL" is refetched every 15 s while
// the tab is visible (and at once when it becomes visible again). The server answers 304 to the
// ETag it gave when nothing changed, so an idle tab costs one small request and one index lookup; the
// page gives the ETag of the part it was served with (data-etag), so the first poll is a 304 too.
// Ticked checkboxes (a bulk selection) survive the refresh.
(function () {
  "use strict";
  var EVERY = 15000;
  var tags = {};

  function refresh(box) {
    var url = box.getAttribute("data-live");
    var tag = tags[url] || box.getAttribute("data-etag");
    var headers = tag ? { "If-None-Match": tag } : {};
    fetch(url, { credentials: "same-origin", headers: headers }).then(function (response) {
      if (response.status !== 200) { return null; }
      tags[url] = response.headers.get("ETag");
      return response.text();
    }).then(function (html) {
      if (html === null || html === undefined) { return; }
      if (box.contains(document.activeElement) && document.activeElement.tagName === "SELECT") { return; }
      var ticked = Array.prototype.map.call(box.querySelectorAll("input[type=checkbox]:checked"),
                                            function (input) { return input.value; });
      box.innerHTML = html;
      ticked.forEach(function (value) {
        var input = box.querySelector('input[type=checkbox][value="' + value + '"]');
        if (input) { input.checked = true; }
      });
      box.setAttribute("data-refreshed", String(Date.now()));
    }).catch(function () { /* offline for a moment: the next tick tries again */ });
  }

  function tick() {
    if (document.visibilityState !== "visible") { return; }
    document.querySelectorAll("[data-live]").forEach(refresh);
  }

  setInterval(tick, EVERY);
  document.addEventListener("visibilitychange", tick);
  window.youthbotRefresh = tick;  // lets a test (or a button) refresh at once
})();
