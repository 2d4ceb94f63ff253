# The path of one request through the stack, with the part a chapter
# rebuilds marked "you are here". scripts/figures sets chapter (1 to 5) and
# canvas_width, canvas_height (pixels), then loads this.
array headlines[5] = [ \
    "Chapter 1: the dev server does everything in one process", \
    "Chapter 2: WSGI, one function call between the server and the app", \
    "Chapter 3: Gunicorn, a master that forks and supervises workers", \
    "Chapter 4: nginx in front, shielding the workers from slow clients", \
    "Chapter 5: files straight from disk, everything else to the app"]
array sublines[5] = [ \
    "manage.py runserver: the socket, HTTP and your app share one process (stage1-devserver).\nChapters 2 to 5 take it apart into the stack a Django site is deployed on.", \
    "Any WSGI server runs any WSGI app: application(environ, start_response).\nstage2-wsgi-callable loads an app by name, C++ or Python, and calls it for each request.", \
    "stage3-prefork-server: the master never serves; the workers accept on the shared socket\nand call the app; the master replaces any worker that dies or hangs.", \
    "stage4-reverse-proxy reads the whole request from the client, however slow,\nthen passes it to a worker at loopback speed: location / { proxy_pass ...; }", \
    "stage5-static-files: location /static/ answers from disk, and never wakes a worker;\nlocation / still goes to Gunicorn. This is the whole stack make demo runs."]
figure_title = headlines[chapter]
figure_subtitle = sublines[chapter]
load 'headline.gp'
load 'diagram.gp'

bold = "DejaVu Sans:Bold,15"
normal = "DejaVu Sans,13"
small = "DejaVu Sans,12"
mono = "DejaVu Sans Mono,12"

# The browser, in every chapter.
eval box(1, 1, 12, 12, 24, 0)
eval text(1, 6.5, 19, "browser", 0, bold)
eval text(2, 6.5, 16.5, "curl, a phone", 0, small)

if (chapter == 1) {
    # One process does it all.
    eval box(10, 19, 5, 70, 29, 1)
    eval text(10, 44.5, 26.5, "stage1-devserver  (manage.py runserver)", 1, bold)
    eval text(11, 44.5, 24, "one process; a thread per connection, or one at a time (--nothreading)", 1, small)
    eval box(11, 21, 9, 35, 20, 1)
    eval text(12, 28, 16, "accept, read,", 1, normal)
    eval text(13, 28, 13.5, "write: sockets", 1, normal)
    eval box(12, 37.5, 9, 51.5, 20, 1)
    eval text(14, 44.5, 16, "HTTP/1.1:", 1, normal)
    eval text(15, 44.5, 13.5, "parse, frame", 1, normal)
    eval box(13, 54, 9, 68, 20, 1)
    eval text(16, 61, 16, "the app:", 1, normal)
    eval text(17, 61, 13.5, "a built-in page", 1, normal)
    eval arrow(1, 12, 18, 19, 18, 1, 1)
    eval text(18, 15.5, 19.5, "HTTP", 0, small)
    eval arrow(2, 35, 14.5, 37.5, 14.5, 1, 0)
    eval arrow(3, 51.5, 14.5, 54, 14.5, 1, 0)
    # What the later chapters make of it, in grey.
    eval text(20, 91, 27, "in production, split apart:", 0, normal)
    eval box(20, 80, 20.5, 102, 24, 0)
    eval text(21, 91, 22.25, "nginx  (chapters 4, 5)", 0, small)
    eval box(21, 80, 13.5, 102, 17, 0)
    eval text(22, 91, 15.25, "Gunicorn  (chapter 3)", 0, small)
    eval box(22, 80, 6.5, 102, 10, 0)
    eval text(23, 91, 8.25, "Django  (chapter 2)", 0, small)
    eval arrow(4, 91, 20.5, 91, 17, 0, 0)
    eval arrow(5, 91, 13.5, 91, 10, 0, 0)
    eval text_aligned(24, 92, 11.75, "WSGI", 0, small, "left")
    eval you_are_here(44.5, 33, 29)
} else {
    # nginx: stages 4 and 5.
    on4 = chapter == 4
    on5 = chapter == 5
    eval box(10, 18, 6, 42, 29, on4 || on5)
    eval text(10, 30, 26.8, "nginx", on4 || on5, bold)
    eval text(11, 30, 24.6, "stages 4 and 5", on4 || on5, small)
    eval box(11, 20, 15.5, 40, 21.5, on4)
    eval text(12, 30, 19.4, "location /", on4, mono)
    eval text(13, 30, 17.2, "proxy_pass: to a worker", on4, small)
    eval box(12, 20, 8, 40, 14, on5)
    eval text(14, 30, 11.9, "location /static/", on5, mono)
    eval text(15, 30, 9.7, "a file from disk", on5, small)
    eval box(13, 22, 0.6, 38, 4, on5)
    eval text(16, 30, 2.3, "disk: static files", on5, small)
    eval arrow(1, 12, 18.5, 18, 18.5, on4 || on5, 1)
    eval text(17, 15, 20, "HTTP/1.1", 0, small)
    eval arrow(2, 30, 8, 30, 4, on5, 1)

    # Gunicorn: stage 3.
    on3 = chapter == 3
    eval box(20, 49, 6, 71, 29, on3)
    eval text(20, 60, 26.8, "Gunicorn", on3, bold)
    eval text(21, 60, 24.6, "stage 3", on3, small)
    eval box(21, 51, 20, 69, 23, on3)
    eval text(22, 60, 21.5, "master (arbiter)", on3, small)
    eval box(22, 51, 15.5, 69, 18.5, on3)
    eval text(23, 60, 17, "worker 1", on3, small)
    eval box(23, 51, 11.5, 69, 14.5, on3)
    eval text(24, 60, 13, "worker 2", on3, small)
    eval box(24, 51, 7.5, 69, 10.5, on3)
    eval text(25, 60, 9, "worker N", on3, small)
    eval arrow(3, 40, 18.5, 49, 17, on4, 1)
    eval text(26, 45, 20, "HTTP/1.1", 0, small)

    # The app, behind the WSGI contract: stage 2.
    on2 = chapter == 2
    eval box(30, 80, 9, 109, 26, on2)
    eval text(30, 94.5, 23.5, "Django, or any WSGI app", on2, bold)
    eval text_aligned(31, 86, 20, "def application(", on2, mono, "left")
    eval text_aligned(32, 86, 17.8, "        environ,", on2, mono, "left")
    eval text_aligned(33, 86, 15.6, "        start_response):", on2, mono, "left")
    eval text(34, 94.5, 12.5, "builds the page", on2, small)
    eval arrow(4, 69, 17, 80, 17, on2, 1)
    eval text(35, 74.5, 18.5, "WSGI", on2, normal)
    eval text(36, 74.5, 15.3, "stage 2", on2, small)

    if (chapter == 2) { eval you_are_here(94.5, 31, 26) }
    if (chapter == 3) { eval you_are_here(60, 33, 29) }
    if (chapter == 4) { eval you_are_here(30, 33, 29) }
    if (chapter == 5) { eval you_are_here(30, 33, 29) }
}
plot NaN notitle
