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
})();
