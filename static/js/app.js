// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // An exclusive choice ("none of these", "not applicable") clears the others, and vice versa.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box || box.type !== "checkbox" || !box.checked) return;
    var group = document.querySelectorAll('input[type="checkbox"][name="' + box.name + '"]');
    group.forEach(function (other) {
      if (other === box) return;
      if (box.dataset.exclusive || other.dataset.exclusive) other.checked = false;
    });
  });

  // A share computed from two figures (e.g. digital machines ÷ all machines) is shown as they are
  // typed, with its band marked; the server computes it again on save, which is what counts.
  function number(field) {
    var input = field && document.querySelector('input[name="' + field + '"]');
    if (!input) return null;
    var text = input.value.replace(/[,，\s%％]/g, "");
    return text === "" || isNaN(Number(text)) ? null : Number(text);
  }
  function refresh(result) {
    var top = number(result.dataset.ratioNum), bottom = number(result.dataset.ratioDen);
    var bands = result.parentNode.querySelectorAll(".derived-bands li");
    if (top === null || bottom === null || bottom <= 0) return;
    var share = (100 * top) / bottom;
    var upper = result.dataset.upper ? result.dataset.upper.split(",").map(Number) : [];
    var index = upper.findIndex(function (edge) { return share <= edge + 1e-9; });
    var strong = document.createElement("strong");
    result.textContent = result.dataset.label + " ";
    result.appendChild(strong);
    strong.textContent = top + " ÷ " + bottom + " = " + (Math.round(share * 100) / 100) + "%" +
      (index >= 0 && bands[index] ? " → " + bands[index].textContent : "");
    bands.forEach(function (band, i) { band.classList.toggle("current", i === index); });
  }
  var results = document.querySelectorAll(".derived-result[data-ratio-num]");
  results.forEach(function (result) {
    [result.dataset.ratioNum, result.dataset.ratioDen].forEach(function (field) {
      var input = document.querySelector('input[name="' + field + '"]');
      if (input) input.addEventListener("input", function () { refresh(result); });
    });
  });
})();
