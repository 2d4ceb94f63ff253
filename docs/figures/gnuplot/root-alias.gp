# root and alias: how a location turns /static/css/a.css into a file name,
# with TUTORIAL.md's two example locations (chapter 5, "root and alias").
figure_title = "root appends the whole URI to the folder; alias replaces the part the location matched"
figure_subtitle = "One request, GET /static/css/a.css, under each of the tutorial's two locations (chapter 5, root and alias)."
load 'headline.gp'
load 'diagram.gp'
bold = "DejaVu Sans:Bold,15"
normal = "DejaVu Sans,14"
ink = 0x111111
row_x = 17

# root
eval coloured_text(1, 3, 43, "root", ink, bold, "left")
eval code(2, 12, 43, "location /static/ { root  /srv/site; }", 0x333333)
eval coloured_text(3, 14, 37, "request", ink, normal, "right")
eval tile(10, row_x, 37, "/static/", 1)
x = tile_end(row_x, "/static/")
eval tile(11, x, 37, "css/a.css", 2)
eval coloured_text(4, 14, 29, "file", ink, normal, "right")
eval tile(12, row_x, 29, "/srv/site", 3)
x2 = tile_end(row_x, "/srv/site")
eval tile(13, x2, 29, "/static/", 1)
x3 = tile_end(x2, "/static/")
eval tile(14, x3, 29, "css/a.css", 2)
eval tile_arrow(1, row_x, "/static/", 37, x2, "/static/", 29)
eval tile_arrow(2, x, "css/a.css", 37, x3, "css/a.css", 29)
eval code(5, tile_end(x3, "css/a.css") + 2, 29, "= /srv/site/static/css/a.css", ink)
eval coloured_text(6, 40, 33.5, "the whole URI goes after the folder", 0x333333, normal, "left")

# alias
eval coloured_text(21, 3, 22, "alias", ink, bold, "left")
eval code(22, 12, 22, "location /static/ { alias /srv/collected/; }", 0x333333)
eval coloured_text(23, 14, 16, "request", ink, normal, "right")
eval tile(30, row_x, 16, "/static/", 1)
x = tile_end(row_x, "/static/")
eval tile(31, x, 16, "css/a.css", 2)
eval coloured_text(24, 14, 8, "file", ink, normal, "right")
eval tile(32, row_x, 8, "/srv/collected/", 3)
x2 = tile_end(row_x, "/srv/collected/")
eval tile(33, x2, 8, "css/a.css", 2)
eval tile_arrow(21, x, "css/a.css", 16, x2, "css/a.css", 8)
eval sprintf("set arrow 22 from %g,%g to %g,%g head size 0.9,22 fixed filled lw 1.8 dt 2 lc rgb '#555555' front", \
    row_x + tile_width("/static/") / 2, 14.6, row_x + tile_width("/static/") / 2, 9.5)
eval coloured_text(25, row_x + tile_width("/static/") / 2 + 1, 12, "replaced", 0x555555, "DejaVu Sans:Italic,13", "left")
eval code(26, tile_end(x2, "css/a.css") + 2, 8, "= /srv/collected/css/a.css", ink)
eval coloured_text(27, 40, 12.5, "the alias takes the place of /static/", 0x333333, normal, "left")

eval legend(3, 2.5)
plot NaN notitle
