# tests/model.mk: the software vGPU model (daemon/mediator): unit, golden replay, fuzz.
model_unit_tests = tests/unit/test-model-pci tests/unit/test-model-regs \
	tests/unit/test-model-gtt tests/unit/test-model-display tests/unit/test-model-opregion \
	tests/unit/test-model-gt tests/unit/test-swmodel-state
unit_tests += $(model_unit_tests)
EXTRA_DIST += tests/unit/test-model.h
tests_unit_test_model_pci_SOURCES = tests/unit/test-model-pci.c
tests_unit_test_model_pci_LDADD = daemon/mediator/libmediator.la
tests_unit_test_model_regs_SOURCES = tests/unit/test-model-regs.c
tests_unit_test_model_regs_LDADD = daemon/mediator/libmediator.la
tests_unit_test_model_gtt_SOURCES = tests/unit/test-model-gtt.c
tests_unit_test_model_gtt_LDADD = daemon/mediator/libmediator.la
tests_unit_test_model_display_SOURCES = tests/unit/test-model-display.c
tests_unit_test_model_display_LDADD = daemon/mediator/libmediator.la
tests_unit_test_model_opregion_SOURCES = tests/unit/test-model-opregion.c
tests_unit_test_model_opregion_LDADD = daemon/mediator/libmediator.la
tests_unit_test_model_gt_SOURCES = tests/unit/test-model-gt.c
tests_unit_test_model_gt_LDADD = daemon/mediator/libmediator.la
tests_unit_test_swmodel_state_SOURCES = tests/unit/test-swmodel-state.c
tests_unit_test_swmodel_state_LDADD = daemon/mediator/libmediator.la

# Golden traces of vgt-replay: tests/golden/replay/*.trace -> expected/.
TESTS += tests/golden/replay/run.sh
EXTRA_DIST += tests/golden/replay/run.sh tests/golden/replay/guest.cfg \
	$(patsubst $(srcdir)/%,%,$(wildcard $(srcdir)/tests/golden/replay/*.trace \
	$(srcdir)/tests/golden/replay/expected/*))

# libFuzzer target of the model (its sources built with the fuzzer).
fuzz_targets += fuzz-model
fuzz_model_sources = tests/fuzz/fuzz-model.c $(mediator_c_sources) libxl-vgt/monitor.c \
	libxl-vgt/edid.c libxl-vgt/error.c
tests/fuzz/fuzz-model: $(addprefix $(srcdir)/,$(fuzz_model_sources))
	$(FUZZ_BUILD) -o $@ $^
EXTRA_DIST += tests/fuzz/fuzz-model.c tests/fuzz/seeds/fuzz-model
CLEANFILES += tests/fuzz/fuzz-model

# libFuzzer: a predecessor's state block of arbitrary bytes taken over (adopt_state).
fuzz_targets += fuzz-model-state
fuzz_model_state_sources = tests/fuzz/fuzz-model-state.c $(mediator_c_sources) libxl-vgt/monitor.c \
	libxl-vgt/edid.c libxl-vgt/error.c
tests/fuzz/fuzz-model-state: $(addprefix $(srcdir)/,$(fuzz_model_state_sources))
	$(FUZZ_BUILD) -o $@ $^
EXTRA_DIST += tests/fuzz/fuzz-model-state.c tests/fuzz/seeds/fuzz-model-state
CLEANFILES += tests/fuzz/fuzz-model-state
