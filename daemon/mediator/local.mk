# daemon/mediator: the software vGPU model (pure logic), linked by the worker and vgt-replay.
noinst_LTLIBRARIES += daemon/mediator/libmediator.la
daemon_mediator_libmediator_la_SOURCES = \
	daemon/mediator/mediator.h daemon/mediator/swmodel.h \
	daemon/mediator/swmodel.c daemon/mediator/pci.c daemon/mediator/regs.c \
	daemon/mediator/regs-gen9.c daemon/mediator/pvinfo.c daemon/mediator/gtt.c \
	daemon/mediator/irq.c daemon/mediator/display.c
