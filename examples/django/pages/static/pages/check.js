// Once the page has loaded, writes into it what proves each static file
// arrived: this script ran, the logo's real width (0 if it failed), a
// value only the stylesheet sets. With #fill-in=NAME in the address it
// then fills in the form and sends it, as a person would (the browser test).
window.addEventListener("load", function () {
    var logo = document.getElementById("logo");
    var marker = getComputedStyle(document.body).getPropertyValue("--static-marker").trim();
    var report = document.createElement("p");
    report.id = "static-check";
    report.textContent = "script=ran image-width=" + (logo ? logo.naturalWidth : 0) +
                         " stylesheet=" + (marker || "missing");
    document.body.appendChild(report);
    var fill = /^#fill-in=(.+)$/.exec(window.location.hash);
    if (fill && !document.getElementById("greeting")) {
        document.getElementById("name").value = decodeURIComponent(fill[1]);
        document.getElementById("name-form").submit();
    }
});
