// The lifecycle site's script, served by the proxy like the stylesheet and
// the logo. Once the page has loaded it writes, into the page itself, what
// proves each file arrived: that this script ran, the logo's real width
// (0 if the image failed) and a value only the stylesheet sets.
window.addEventListener("load", function () {
    var logo = document.getElementById("logo");
    var marker = getComputedStyle(document.body).getPropertyValue("--static-marker").trim();
    var report = document.createElement("p");
    report.id = "static-check";
    report.textContent = "script=ran image-width=" + (logo ? logo.naturalWidth : 0) +
                         " stylesheet=" + (marker || "missing");
    document.body.appendChild(report);
});
