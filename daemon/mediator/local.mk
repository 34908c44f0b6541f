# daemon/mediator: the software vGPU model (pure logic), linked by the worker and vgt-replay.
noinst_LTLIBRARIES += daemon/mediator/libmediator.la
mediator_c_sources = \
	daemon/mediator/swmodel.c daemon/mediator/pci.c daemon/mediator/regs.c \
	daemon/mediator/regs-common.c daemon/mediator/regs-gen8.c daemon/mediator/regs-gen9.c \
	daemon/mediator/pvinfo.c daemon/mediator/gtt.c \
	daemon/mediator/irq.c daemon/mediator/display.c daemon/mediator/opregion.c \
	daemon/mediator/gt.c
daemon_mediator_libmediator_la_SOURCES = daemon/mediator/mediator.h daemon/mediator/swmodel.h \
	daemon/mediator/regs-table.h daemon/mediator/opregion.h \
	$(mediator_c_sources)
# opregion.c names ports with libvgt's monitor.h helpers
daemon_mediator_libmediator_la_LIBADD = libxl-vgt/libvgt.la

# vgt-replay: runs access traces against the model (golden tests, bug reports).
bin_PROGRAMS += daemon/vgt-replay
daemon_vgt_replay_SOURCES = daemon/mediator/vgt-replay.c
daemon_vgt_replay_LDADD = daemon/mediator/libmediator.la
EXTRA_DIST += daemon/mediator/README.md
