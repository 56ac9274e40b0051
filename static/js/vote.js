// Voting without a page reload. Without JavaScript the same forms post and redirect back.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-vote]")) return;
    var button = event.submitter;
    if (!button || !window.fetch) return;
    event.preventDefault();
    var data = new FormData(form);
    data.set("vote", button.value);
    form.setAttribute("aria-busy", "true");
    fetch(form.action, {
      method: "POST",
      body: data,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (result) {
        // One joke can show twice on a page (joke of the day and a list): update both.
        document.querySelectorAll("form[data-vote]").forEach(function (same) {
          if (same.action !== form.action) return;
          same.querySelector(".score").textContent = result.score;
          same.querySelectorAll("button[data-direction]").forEach(function (other) {
            var direction = other.dataset.direction === "up" ? 1 : -1;
            var pressed = result.vote === direction;
            other.setAttribute("aria-pressed", pressed ? "true" : "false");
            other.value = pressed ? "clear" : other.dataset.direction;
          });
        });
      })
      .catch(function () {
        // Fall back to the plain form post (submit() sends no button, so add its value).
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = "vote";
        input.value = button.value;
        form.appendChild(input);
        form.submit();
      })
      .finally(function () {
        form.removeAttribute("aria-busy");
      });
  });
})();
