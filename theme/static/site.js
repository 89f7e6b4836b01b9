// 长者模式: larger text and wider line spacing, remembered across pages.
// Reading never needs this script; without it the switch stays hidden.
(function () {
  var button = document.querySelector(".large-text-toggle");
  if (!button) return;
  var root = document.documentElement;
  function show(on) {
    root.classList.toggle("large-text", on);
    button.setAttribute("aria-pressed", on ? "true" : "false");
  }
  show(root.classList.contains("large-text"));
  button.hidden = false;
  button.addEventListener("click", function () {
    var on = !root.classList.contains("large-text");
    show(on);
    try { localStorage.setItem("gongkai-large-text", on ? "1" : "0"); } catch (e) { /* private mode */ }
  });
})();
