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
