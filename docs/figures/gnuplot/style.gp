# Shared by every figure: fonts, colours, no enhanced text (paths and names
# contain underscores). scripts/figures loads it first.
set encoding utf8
set termoption noenhanced
set border lw 1 lc rgb "#444444"
set tics textcolor rgb "#222222"

# Colours are numbers, so that a datablock column can choose one
# (lc rgb variable); hex(c) is the same colour as a string, for lc rgb "...".
# Okabe and Ito's colour-blind-safe palette.
ours = 0x0072B2           # blue: webstack's stages
theirs = 0xE69F00         # orange: the real program
slow_colour = 0x56B4E9    # sky blue: the slow request, the slow client
quick_colour = 0xD55E00   # vermillion: the quick request that waits, or not
highlight = 0x009E73      # green: "you are here"
idle_fill = 0xEEEEEE      # grey: the parts of the stack a chapter is not about
idle_text = 0x777777
leak = 0xCC0000           # red: the leaked file
hex(c) = sprintf("#%06X", c)

title_font = "DejaVu Sans:Bold,18"
heading_font = "DejaVu Sans:Bold,14"
mono_font = "DejaVu Sans Mono,14"
small_font = "DejaVu Sans,12"
