# The figure's title and, under it, what it shows, at the top left.
set label 1001 figure_title at screen 0, screen 1 offset 1.5, -1.5 left font title_font
set label 1002 figure_subtitle at screen 0, screen 1 offset 1.5, -3.2 left font ",14" textcolor rgb "#333333"
