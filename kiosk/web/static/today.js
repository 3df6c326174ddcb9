// Today's numbers refresh themselves: fetch the fragment, swap it in. No library needed.
(function () {
  "use strict";
  var box = document.getElementById("numbers");
  if (!box) { return; }
  var seconds = parseInt(box.getAttribute("data-seconds"), 10) || 30;
  function refresh() {
    fetch(box.getAttribute("data-src"), {
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin",
      cache: "no-store"
    }).then(function (response) {
      if (response.status === 401) { window.location.reload(); return null; }
      return response.ok ? response.text() : null;
    }).then(function (html) {
      if (html !== null) { box.innerHTML = html; box.setAttribute("data-refreshed", String(Date.now())); }
    }).catch(function () { /* offline for a moment: the next round tries again */ });
  }
  window.setInterval(refresh, seconds * 1000);
}());
