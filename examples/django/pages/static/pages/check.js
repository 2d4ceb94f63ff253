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
    // Who answered each of the page's files: one from the proxy's disk
    // carries the file's Last-Modified and none of Django's own headers
    // (its SecurityMiddleware adds X-Content-Type-Options to each answer).
    var list = document.getElementById("static-files");
    if (list && window.fetch) {
        list.textContent = "";
        var files = [];
        document.querySelectorAll("link[rel=stylesheet], script[src], img[src]").forEach(function (element) {
            files.push(element.getAttribute("href") || element.getAttribute("src"));
        });
        files.concat([window.location.pathname]).forEach(function (path) {
            fetch(path, {method: "HEAD", cache: "no-store"}).then(function (answer) {
                var fromDisk = answer.headers.has("last-modified") && !answer.headers.has("x-content-type-options");
                var item = document.createElement("li");
                item.textContent = path + ": " + answer.status + ", " +
                    (fromDisk ? "from the proxy's disk; Django never saw it" : "made by Django, passed on by the proxy");
                list.appendChild(item);
            });
        });
    }
    var fill = /^#fill-in=(.+)$/.exec(window.location.hash);
    if (fill && !document.getElementById("greeting")) {
        document.getElementById("name").value = decodeURIComponent(fill[1]);
        document.getElementById("name-form").submit();
    }
});
