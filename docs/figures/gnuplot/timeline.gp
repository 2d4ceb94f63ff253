# A timeline: one horizontal bar per request, from the moment its client
# connected to the moment it had the whole answer. scripts/figures defines
# figure_title, figure_subtitle, subtitle_lines, x_max, rows and the datablocks
#   $bars      y  start_s  end_s  kind (1 slow, 2 quick)  "label after the bar"
#   $headings  y  "variant"
#   $ticks     y  "request"
load 'headline.gp'
set xlabel "seconds since the first request" font ",14"
set xrange [0:x_max]
set yrange [rows + 0.5:-0.8]
set xtics 1 nomirror out
unset ytics
set mxtics 2
set grid xtics lc rgb "#DDDDDD" lw 1 dt 1
set key off
set lmargin 34
set rmargin 4
set tmargin 3.3 + 1.4 * subtitle_lines
set style fill solid 1.0 noborder
colour(kind) = kind == 2 ? quick_colour : slow_colour
plot $bars using (($2 + $3) / 2):1:2:3:($1 - 0.3):($1 + 0.3):(colour($4)) with boxxyerror lc rgb variable, \
     $bars using 3:1:(colour($4)) with points pt 7 ps 0.9 lc rgb variable, \
     $bars using 3:1:5 with labels left offset 1.2,0 font ",13", \
     $headings using (0):1:2 with labels left offset 0.3,0 font heading_font, \
     $ticks using (0):1:2 with labels right offset -1,0
