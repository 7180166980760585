// Drag a row of the agenda to reorder it (progressive enhancement: the up and down buttons work
// without script). Dropping a row on another posts the same "move" the buttons post: the dragged
// question and the position of the row it was dropped on.
(function () {
  "use strict";
  var rows = document.getElementById("agenda-rows");
  var form = document.getElementById("drag-move");
  if (!rows || !form) { return; }
  var dragged = null;

  function rowOf(target) { return target && target.closest ? target.closest("tr[data-question]") : null; }

  rows.addEventListener("dragstart", function (event) {
    dragged = rowOf(event.target);
    if (!dragged) { return; }
    dragged.classList.add("dragging");
    if (event.dataTransfer) {
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", dragged.getAttribute("data-question"));
    }
  });
  rows.addEventListener("dragover", function (event) {
    var row = rowOf(event.target);
    if (!dragged || !row) { return; }
    event.preventDefault();
    rows.querySelectorAll(".drop-target").forEach(function (r) { r.classList.remove("drop-target"); });
    if (row !== dragged) { row.classList.add("drop-target"); }
  });
  rows.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("dragging"); }
    rows.querySelectorAll(".drop-target").forEach(function (r) { r.classList.remove("drop-target"); });
  });
  rows.addEventListener("drop", function (event) {
    var row = rowOf(event.target);
    if (!dragged || !row) { return; }
    event.preventDefault();
    if (row === dragged) { return; }
    form.elements.question.value = dragged.getAttribute("data-question");
    form.elements.position.value = row.getAttribute("data-rank");
    dragged = null;
    form.submit();
  });
})();
