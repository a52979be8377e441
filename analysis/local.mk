# analysis/: the run recorder (events.jsonl, metrics.csv, summary.json) and statistics.
noinst_LTLIBRARIES += analysis/libks-analysis.la
analysis_libks_analysis_la_CPPFLAGS = $(AM_CPPFLAGS) -DG_LOG_DOMAIN=\"kubesim-analysis\"
analysis_libks_analysis_la_SOURCES = \
	analysis/ks-check.c analysis/ks-check.h \
	analysis/ks-compare.c analysis/ks-compare.h \
	analysis/ks-plot.c analysis/ks-plot.h \
	analysis/ks-recorder.c analysis/ks-recorder.h \
	analysis/ks-report.c analysis/ks-report.h \
	analysis/ks-stats.c analysis/ks-stats.h \
	analysis/ks-pod-records.c analysis/ks-pod-records.h \
	analysis/ks-totals.c analysis/ks-totals.h
