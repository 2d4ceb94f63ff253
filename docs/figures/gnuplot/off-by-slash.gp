# The off-by-slash trap, with TUTORIAL.md's example (chapter 5, "The
# off-by-slash trap"): location /static without its slash, alias with one.
figure_title = "The off-by-slash trap: /static../settings.py reads a file outside the alias"
figure_subtitle = "location /static (no slash) with alias /app/static/ (a slash): nginx glues the rest of the URI after the alias,\nand /static../settings.py has no .. segment for nginx to remove first: static.. is one name."
load 'headline.gp'
load 'diagram.gp'
bold = "DejaVu Sans:Bold,15"
normal = "DejaVu Sans,14"
ink = 0x111111
row_x = 17

eval coloured_text(1, 3, 50, "the trap", ink, bold, "left")
eval code(2, 17, 50, "location /static { alias /app/static/; }", 0x333333)

# As intended: the stylesheet.
eval coloured_text(3, 14, 45, "request", ink, normal, "right")
eval tile(10, row_x, 45, "/static", 1)
x = tile_end(row_x, "/static")
eval tile(11, x, 45, "/site.css", 2)
eval coloured_text(4, 14, 38.5, "file", ink, normal, "right")
eval tile(12, row_x, 38.5, "/app/static/", 3)
x2 = tile_end(row_x, "/app/static/")
eval tile(13, x2, 38.5, "/site.css", 2)
eval tile_arrow(1, x, "/site.css", 45, x2, "/site.css", 38.5)
eval code(5, tile_end(x2, "/site.css") + 2, 38.5, "= /app/static//site.css", ink)
eval coloured_text(6, 70, 38.5, "the stylesheet, as intended (// reads as /)", 0x333333, normal, "left")

# The leak.
eval coloured_text(7, 14, 31, "request", ink, normal, "right")
eval tile(20, row_x, 31, "/static", 1)
x = tile_end(row_x, "/static")
eval tile(21, x, 31, "../settings.py", 2)
eval coloured_text(8, 14, 24.5, "file", ink, normal, "right")
eval tile(22, row_x, 24.5, "/app/static/", 3)
x2 = tile_end(row_x, "/app/static/")
eval tile(23, x2, 24.5, "../settings.py", 2)
eval tile_arrow(2, x, "../settings.py", 31, x2, "../settings.py", 24.5)
x3 = tile_end(x2, "../settings.py") + 2
eval code(9, x3, 24.5, "=", ink)
eval tile(24, x3 + 2.5, 24.5, "/app/settings.py", 4)
eval coloured_text(25, tile_end(x3 + 2.5, "/app/settings.py") + 1, 24.5, "leaked: SECRET_KEY = ...", leak, "DejaVu Sans:Bold,14", "left")
eval coloured_text(26, 46, 28, "/static.. starts with /static: the location matches", 0x333333, normal, "left")

# The fix: the slash on both.
eval coloured_text(30, 3, 16.5, "the fix", ink, bold, "left")
eval code(31, 17, 16.5, "location /static/ { alias /app/static/; }", 0x333333)
eval coloured_text(32, 14, 10.5, "request", ink, normal, "right")
eval tile(40, row_x, 10.5, "/static../settings.py", 5)
eval coloured_text(33, tile_end(row_x, "/static../settings.py") + 2, 10.5, \
    "does not start with /static/: this location does not match (nginx: 404)", 0x333333, normal, "left")

eval coloured_text(34, 3, 6.5, "stage5-static-files, given the trap's config, warns at start (and with -t), and answers 403: the path leaves the alias.", 0x333333, "DejaVu Sans:Italic,13", "left")
eval legend(3, 2.2)
plot NaN notitle
