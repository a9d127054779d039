# The time series of `raftvault-bench ... --csv FILE` as a PNG (./dev.sh bench draws the
# rotation run's): entries/s, p50 and p99 per 100 ms, and a vertical line where a DEK
# rotation began (red) or a snapshot was requested (blue).
#   gnuplot -e "csv='rotation.csv'; png='rotation.png'" bench/plot.gnuplot
set datafile separator ","
stats csv using 4 name "rate" nooutput
set terminal png size 1200,600 noenhanced
set output png
set key top left
set xlabel "seconds since the load started"
set ylabel "entries/s (per 100 ms)"
set y2label "latency (us)"
set yrange [0:rate_max * 1.1]
set y2range [0:*]
set ytics nomirror
set y2tics
set grid
plot csv using 1:($7 > 0 ? rate_max * 1.1 : 1/0) with impulses lc rgb "red" lw 2 title "DEK rotation", \
     csv using 1:($8 > 0 ? rate_max * 1.1 : 1/0) with impulses lc rgb "blue" title "snapshot", \
     csv using 1:4 with lines lw 2 lc rgb "black" title "entries/s", \
     csv using 1:5 axes x1y2 with lines lc rgb "dark-green" title "p50 us", \
     csv using 1:6 axes x1y2 with lines lc rgb "orange" title "p99 us"
