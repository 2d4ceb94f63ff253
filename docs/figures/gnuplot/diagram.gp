# Drawing helpers for the diagrams: the canvas is 10 pixels a unit, x from
# the left, y from the bottom; each helper returns a command for eval.
# A part the figure is about is "on" (green); the rest is grey and stays
# legible.
set margins 0, 0, 0, 0
unset border
unset tics
unset key
set xrange [0:canvas_width / 10.0]
set yrange [0:canvas_height / 10.0]

on_fill = 0xD8F0E6
idle_border = 0x9A9A9A
on_text = 0x111111
off_text = 0x4A4A4A

fill_of(on) = on ? hex(on_fill) : hex(idle_fill)
border_of(on) = on ? hex(highlight) : hex(idle_border)
text_of(on) = on ? hex(on_text) : hex(off_text)

# A rectangle; later ids are drawn over earlier ones.
box(id, x1, y1, x2, y2, on) = sprintf( \
    "set object %d rect from %g,%g to %g,%g fc rgb '%s' fs solid 1.0 border lc rgb '%s' lw %g back", \
    id, x1, y1, x2, y2, fill_of(on), border_of(on), on ? 3 : 1.2)
# A rectangle in a colour of its own.
coloured_box(id, x1, y1, x2, y2, fill, border) = sprintf( \
    "set object %d rect from %g,%g to %g,%g fc rgb '%s' fs solid 1.0 border lc rgb '%s' lw 1.5 back", \
    id, x1, y1, x2, y2, hex(fill), hex(border))
# Text centred at x,y (align: "left", "centre" or "right").
text(id, x, y, s, on, font) = text_aligned(id, x, y, s, on, font, "centre")
text_aligned(id, x, y, s, on, font, align) = sprintf( \
    "set label %d \"%s\" at %g,%g %s font '%s' tc rgb '%s' front", \
    id, s, x, y, align, font, text_of(on))
coloured_text(id, x, y, s, colour, font, align) = sprintf( \
    "set label %d \"%s\" at %g,%g %s font '%s' tc rgb '%s' front", id, s, x, y, align, font, hex(colour))
# An arrow; both: heads at both ends.
arrow(id, x1, y1, x2, y2, on, both) = sprintf( \
    "set arrow %d from %g,%g to %g,%g %s size 1.2,22 fixed filled lw %g lc rgb '%s' front", \
    id, x1, y1, x2, y2, both ? "heads" : "head", on ? 3 : 1.6, border_of(on))
coloured_arrow(id, x1, y1, x2, y2, colour) = sprintf( \
    "set arrow %d from %g,%g to %g,%g head size 1.2,22 fixed filled lw 2.5 lc rgb '%s' front", \
    id, x1, y1, x2, y2, hex(colour))

# "you are here": a green tag centred at x,y, with an arrow down to y_to.
you_are_here(x, y, y_to) = sprintf( \
    "set object 900 rect from %g,%g to %g,%g fc rgb '%s' fs solid 1.0 noborder front; " . \
    "set label 900 \"you are here\" at %g,%g centre font 'DejaVu Sans:Bold,15' tc rgb '#FFFFFF' front; " . \
    "set arrow 900 from %g,%g to %g,%g head size 1.2,22 fixed filled lw 3 lc rgb '%s' front", \
    x - 6.5, y - 1.4, x + 6.5, y + 1.4, hex(highlight), x, y, x, y - 1.4, x, y_to, hex(highlight))

# Tiles: the pieces of a path, in a monospaced font, each in the colour of
# where it came from (kind 1: the part the location matched, 2: the rest of
# the URI, 3: the folder named in the config, 4: a path that leaks, 5: a URI
# no location matched).
tile_font = "DejaVu Sans Mono,15"
char_width = 0.91         # units per character of tile_font (9.1 px)
tile_pad = 0.6
tile_gap = 0.35
array tile_fills[5] = [0xF6DCEB, 0xD6EAF8, 0xFBE7C6, 0xF8D0D0, 0xEEEEEE]
array tile_borders[5] = [0xCC79A7, 0x0072B2, 0xE69F00, 0xCC0000, 0x888888]
tile_width(s) = strlen(s) * char_width + 2 * tile_pad
tile_end(x, s) = x + tile_width(s) + tile_gap
tile(id, x, y, s, kind) = sprintf( \
    "set object %d rect from %g,%g to %g,%g fc rgb '%s' fs solid 1.0 border lc rgb '%s' lw 1.5 back; " . \
    "set label %d \"%s\" at %g,%g left font '%s' tc rgb '#111111' front", \
    id, x, y - 1.3, x + tile_width(s), y + 1.3, hex(tile_fills[kind]), hex(tile_borders[kind]), \
    id, s, x + tile_pad, y, tile_font)
# Text in the tiles' font, not in a tile.
code(id, x, y, s, colour) = sprintf("set label %d \"%s\" at %g,%g left font '%s' tc rgb '%s' front", \
    id, s, x, y, tile_font, hex(colour))
# An arrow from the middle of the bottom of one tile to the top of another.
tile_arrow(id, x1, s1, y1, x2, s2, y2) = sprintf( \
    "set arrow %d from %g,%g to %g,%g head size 0.9,22 fixed filled lw 1.8 lc rgb '#555555' front", \
    id, x1 + tile_width(s1) / 2, y1 - 1.4, x2 + tile_width(s2) / 2, y2 + 1.5)
# The colour legend, one swatch and its words each, from x along y.
legend(x, y) = sprintf( \
    "set object 990 rect from %g,%g to %g,%g fc rgb '%s' fs solid 1.0 border lc rgb '%s' back; " . \
    "set label 990 'the part the location matched' at %g,%g left font 'DejaVu Sans,13' front; " . \
    "set object 991 rect from %g,%g to %g,%g fc rgb '%s' fs solid 1.0 border lc rgb '%s' back; " . \
    "set label 991 'the rest of the URI' at %g,%g left font 'DejaVu Sans,13' front; " . \
    "set object 992 rect from %g,%g to %g,%g fc rgb '%s' fs solid 1.0 border lc rgb '%s' back; " . \
    "set label 992 'the folder in the config' at %g,%g left font 'DejaVu Sans,13' front", \
    x, y - 0.8, x + 2.4, y + 0.8, hex(tile_fills[1]), hex(tile_borders[1]), x + 3.2, y, \
    x + 31, y - 0.8, x + 33.4, y + 0.8, hex(tile_fills[2]), hex(tile_borders[2]), x + 34.2, y, \
    x + 52, y - 0.8, x + 54.4, y + 0.8, hex(tile_fills[3]), hex(tile_borders[3]), x + 55.2, y)
