# Benchmark bars: one panel per load (a row of bench/run's table), one
# horizontal bar per server, its requests per second at the end, and beside
# each of ours its ratio to the real program. Each panel has its own scale:
# compare bars within a panel. scripts/figures defines figure_title,
# figure_subtitle, subtitle_lines, left_edge and legend_y (screen fractions), panels, and per panel (arrays, 1-based)
# panel_heading, panel_bars, panel_top, panel_bottom (screen fractions), panel_x_max and
# panel_xtics (a "set xtics" list), and the datablock $bars, one index per
# panel:  y  requests_per_second  kind (1 ours, 2 theirs)  "server"  "label"
load 'headline.gp'
set multiplot
set key off
unset ytics
set xtics nomirror out font ",12"
set xlabel "requests per second" font ",12" offset 0, 0.8
set grid xtics lc rgb "#DDDDDD" lw 1
set border 3
set style fill solid 1.0 noborder
set lmargin at screen left_edge
set rmargin at screen 0.98
colour(kind) = kind == 1 ? ours : theirs

# The legend, once, at the right of the first heading.
set object 1 rect from screen 0.73, screen legend_y - 0.012 to screen 0.75, screen legend_y + 0.012 fc rgb hex(ours) fs solid noborder
set label 3 "webstack (ours)" at screen 0.755, screen legend_y left font ",13"
set object 2 rect from screen 0.86, screen legend_y - 0.012 to screen 0.88, screen legend_y + 0.012 fc rgb hex(theirs) fs solid noborder
set label 4 "the real program" at screen 0.885, screen legend_y left font ",13"

do for [i = 1:panels] {
    set tmargin at screen panel_top[i]
    set bmargin at screen panel_bottom[i]
    set xrange [0:panel_x_max[i]]
    set yrange [panel_bars[i] - 0.5:-0.6]
    eval "set xtics ".panel_xtics[i]
    set label 2 panel_heading[i] at graph 0, graph 1 offset 0, 0.9 left font heading_font
    plot $bars index (i - 1) using ($2 / 2):1:(0):2:($1 - 0.33):($1 + 0.33):(colour($3)) \
             with boxxyerror lc rgb variable, \
         $bars index (i - 1) using (0):1:4 with labels right offset -1, 0 font ",13", \
         $bars index (i - 1) using 2:1:5 with labels left offset 0.6, 0 font ",13"
    if (i == 1) {
        unset label 1001; unset label 1002; unset label 3; unset label 4
        unset object 1; unset object 2
    }
}
unset multiplot
