// Theme toggle without a page reload: cycles system -> dark -> light -> system, stores the
// choice in the same cookie the server reads (so the next page is painted right at once).
// Without JavaScript the button posts /settings/theme instead.
(function () {
  "use strict";
  var ORDER = ["system", "dark", "light"];
  var COOKIE = "vqs_theme";

  function current() {
    var value = document.documentElement.getAttribute("data-theme");
    return value === "dark" || value === "light" ? value : "system";
  }

  function apply(theme, button) {
    var root = document.documentElement;
    if (theme === "system") {
      root.removeAttribute("data-theme");
      document.cookie = COOKIE + "=; Max-Age=0; Path=/; SameSite=Lax";
    } else {
      root.setAttribute("data-theme", theme);
      document.cookie = COOKIE + "=" + theme + "; Max-Age=31536000; Path=/; SameSite=Lax";
    }
    button.textContent = "Theme: " + theme;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector("[data-theme-toggle]");
    if (!button) {
      return;
    }
    button.addEventListener("click", function (event) {
      event.preventDefault();
      var next = ORDER[(ORDER.indexOf(current()) + 1) % ORDER.length];
      apply(next, button);
    });
  });
})();
