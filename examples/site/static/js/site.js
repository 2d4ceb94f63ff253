// The lifecycle site's script, served by the proxy like the stylesheet and
// the logo. Once the page has loaded it writes into the page:
//  - what proves each file arrived: that this script ran, the logo's real
//    width (0 if the image failed) and a value only the stylesheet sets
//    (the browser test reads that line);
//  - for each of the page's files, who answered it: a file from the
//    proxy's disk carries the file's Last-Modified and ETag and none of
//    the app's own headers (its middleware adds X-Content-Type-Options to
//    every answer of the app).
window.addEventListener("load", function () {
    var logo = document.getElementById("logo");
    var marker = getComputedStyle(document.body).getPropertyValue("--static-marker").trim();
    var report = document.createElement("p");
    report.id = "static-check";
    report.textContent = "script=ran image-width=" + (logo ? logo.naturalWidth : 0) +
                         " stylesheet=" + (marker || "missing");
    document.body.appendChild(report);

    var list = document.getElementById("static-files");
    if (!list || !window.fetch) return;
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
                (fromDisk ? "from the proxy's disk (Last-Modified " + answer.headers.get("last-modified") +
                            "); the app never saw it"
                          : "made by the app (X-Content-Type-Options: " +
                            answer.headers.get("x-content-type-options") + "), passed on by the proxy");
            list.appendChild(item);
        });
    });
});
